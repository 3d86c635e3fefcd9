import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { Open311Attribute, Open311CreatedRequest, Open311Service, Open311ServiceRequest } from '@ioc/schemas';
import { formatDateTime, type Lang } from '../i18n';
import { ApiError, problemMessage, type ApiProblem } from '../field-reports/api-errors';
import { PlaceMap, type PlacePoint } from '../field-reports/PlaceMap';
import { citizenApi } from './api';
import { EMPTY_FORM, checkReportForm, followPath, open311Fields, parseCoordinate, parseRememberedRequests, rememberRequest, viewOfPath, type FormProblem, type ReportFormValues, type ReportView } from './form';
import { REPORT_STRINGS, type ReportStrings } from './strings';

/** How often an open report's page looks for news while it is open in a tab. */
const FOLLOW_POLL_MS = 30_000;
const LANG_KEY = 'ioc.report.lang';
const MINE_KEY = 'ioc.report.mine';

function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiError) return error.problem;
  return { httpStatus: 0, code: 'OTHER', detail: error instanceof Error ? error.message : String(error) };
}

function ErrorBox({ problem, lang }: { problem: ApiProblem | undefined; lang: Lang }) {
  if (!problem) return null;
  return (
    <div className="fr-error" role="alert" data-code={problem.code}>
      <strong>{problemMessage(problem, lang)}</strong>
      {problem.detail && <span className="fr-error-detail">{problem.detail}</span>}
    </div>
  );
}

export function ReportApp() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi'));
  const t = REPORT_STRINGS[lang];
  const [view, setView] = useState<ReportView>(() => viewOfPath(window.location.pathname));
  const [created, setCreated] = useState<Open311CreatedRequest | undefined>();
  const [mine, setMine] = useState<string[]>(() => parseRememberedRequests(localStorage.getItem(MINE_KEY)));
  const remember = (requestId: string) => {
    const next = rememberRequest(mine, requestId);
    setMine(next);
    localStorage.setItem(MINE_KEY, JSON.stringify(next));
  };

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t.title]);

  useEffect(() => {
    const onPop = () => {
      setCreated(undefined);
      setView(viewOfPath(window.location.pathname));
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const go = useCallback((path: string) => {
    window.history.pushState(null, '', path);
    setCreated(undefined);
    setView(viewOfPath(path));
    window.scrollTo(0, 0);
  }, []);

  return (
    <div className="fr-page citizen">
      <header className="fr-header">
        <div>
          <h1>
            <a href="/report" onClick={(event) => (event.preventDefault(), go('/report'))}>
              {t.title}
            </a>
          </h1>
          <div className="fr-subtitle">{t.subtitle}</div>
        </div>
        <button type="button" className="fr-lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t.switchLang}
        </button>
      </header>
      <main className="citizen-main">
        {view.kind === 'follow' && <Follow key={view.requestId} requestId={view.requestId} t={t} lang={lang} onNew={() => go('/report')} />}
        {view.kind === 'new' && created && <Created created={created} t={t} onFollow={() => go(followPath(created.service_request_id))} onNew={() => setCreated(undefined)} />}
        {view.kind === 'new' && !created && (
          <>
            <NewReport
              t={t}
              lang={lang}
              onCreated={(result) => {
                remember(result.service_request_id);
                setCreated(result);
                window.scrollTo(0, 0);
              }}
            />
            <Lookup t={t} mine={mine} onLookup={(id) => go(followPath(id))} />
          </>
        )}
      </main>
    </div>
  );
}

function Section({ title, children, help }: { title: string; help?: string; children: ReactNode }) {
  return (
    <fieldset className="citizen-section">
      <legend>{title}</legend>
      {help && <p className="fr-hint">{help}</p>}
      {children}
    </fieldset>
  );
}

function AttributeInput({ attribute, value, onChange }: { attribute: Open311Attribute; value: string; onChange: (value: string) => void }) {
  const name = `attribute[${attribute.code}]`;
  const label = `${attribute.description}${attribute.required ? ' *' : ''}`;
  if (attribute.values && attribute.values.length > 0) {
    return (
      <label>
        {label}
        <select name={name} value={value} onChange={(event) => onChange(event.target.value)} required={attribute.required}>
          <option value="">—</option>
          {attribute.values.map((option) => (
            <option key={option.key} value={option.key}>
              {option.name}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <label>
      {label}
      <input name={name} value={value} inputMode={attribute.datatype === 'number' ? 'decimal' : 'text'} onChange={(event) => onChange(event.target.value)} required={attribute.required} />
    </label>
  );
}

function NewReport({ t, lang, onCreated }: { t: ReportStrings; lang: Lang; onCreated: (created: Open311CreatedRequest) => void }) {
  const [services, setServices] = useState<Open311Service[] | undefined>();
  const [attributes, setAttributes] = useState<Open311Attribute[]>([]);
  const [values, setValues] = useState<ReportFormValues>(EMPTY_FORM);
  const [photo, setPhoto] = useState<File | undefined>();
  const [previewUrl, setPreviewUrl] = useState<string | undefined>();
  // Created and revoked by the same effect, so StrictMode's double run cannot revoke a URL still shown.
  useEffect(() => {
    if (!photo || !/^image\//.test(photo.type)) {
      setPreviewUrl(undefined);
      return;
    }
    const url = URL.createObjectURL(photo);
    setPreviewUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [photo]);
  const [problems, setProblems] = useState<FormProblem[]>([]);
  const [apiProblem, setApiProblem] = useState<ApiProblem | undefined>();
  const [sending, setSending] = useState(false);
  const [locating, setLocating] = useState(false);
  const [positionNote, setPositionNote] = useState<string | undefined>();

  useEffect(() => {
    let cancelled = false;
    citizenApi
      .services(lang)
      .then((list) => !cancelled && setServices(list))
      .catch((error: unknown) => !cancelled && setApiProblem(problemOf(error)));
    return () => {
      cancelled = true;
    };
  }, [lang]);

  useEffect(() => {
    let cancelled = false;
    setAttributes([]);
    const service = services?.find((entry) => entry.service_code === values.serviceCode);
    if (!service?.metadata) return;
    citizenApi
      .definition(service.service_code, lang)
      .then((definition) => !cancelled && setAttributes([...definition.attributes].sort((a, b) => a.order - b.order)))
      .catch((error: unknown) => !cancelled && setApiProblem(problemOf(error)));
    return () => {
      cancelled = true;
    };
  }, [values.serviceCode, services, lang]);

  const groups = useMemo(() => {
    const byGroup = new Map<string, Open311Service[]>();
    for (const service of services ?? []) byGroup.set(service.group, [...(byGroup.get(service.group) ?? []), service]);
    return [...byGroup.entries()];
  }, [services]);

  const set = (patch: Partial<ReportFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const latitude = parseCoordinate(values.latitude);
  const longitude = parseCoordinate(values.longitude);
  const point = latitude !== undefined && longitude !== undefined ? { latitude, longitude } : null;
  const pick = useCallback((picked: PlacePoint) => {
    setValues((current) => ({ ...current, latitude: picked.latitude.toFixed(6), longitude: picked.longitude.toFixed(6) }));
  }, []);

  const usePosition = () => {
    if (!navigator.geolocation) return setPositionNote(t.positionDenied);
    setLocating(true);
    setPositionNote(undefined);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        pick({ latitude: position.coords.latitude, longitude: position.coords.longitude });
      },
      () => {
        setLocating(false);
        setPositionNote(t.positionDenied);
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (sending) return;
    const found = checkReportForm(values, attributes);
    setProblems(found);
    setApiProblem(undefined);
    if (found.length > 0) return;
    setSending(true);
    try {
      onCreated(await citizenApi.submit(open311Fields(values, attributes), photo));
    } catch (error) {
      setApiProblem(problemOf(error));
    } finally {
      setSending(false);
    }
  };

  const problemText = (problem: FormProblem) => {
    if (problem.startsWith('attribute:')) {
      const code = problem.slice('attribute:'.length);
      return t.problems.attribute(attributes.find((attribute) => attribute.code === code)?.description ?? code);
    }
    return t.problems[problem as Exclude<FormProblem, `attribute:${string}`>];
  };
  const invalid = (problem: FormProblem) => (problems.includes(problem) ? 'true' : undefined);

  return (
    <form className="citizen-form" onSubmit={(event) => void submit(event)} noValidate>
      <h2>{t.newReport}</h2>
      <Section title={t.service}>
        <select name="service_code" value={values.serviceCode} onChange={(event) => set({ serviceCode: event.target.value, attributes: {} })} aria-invalid={invalid('service')}>
          <option value="">{services ? t.chooseService : t.loading}</option>
          {groups.map(([group, entries]) => (
            <optgroup key={group} label={group}>
              {entries.map((service) => (
                <option key={service.service_code} value={service.service_code}>
                  {service.service_name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        {services?.find((service) => service.service_code === values.serviceCode)?.description && (
          <p className="fr-hint">{services.find((service) => service.service_code === values.serviceCode)?.description}</p>
        )}
        {attributes.map((attribute) => (
          <AttributeInput key={attribute.code} attribute={attribute} value={values.attributes[attribute.code] ?? ''} onChange={(value) => set({ attributes: { ...values.attributes, [attribute.code]: value } })} />
        ))}
      </Section>
      <Section title={t.description}>
        <textarea name="description" rows={4} maxLength={4000} value={values.description} placeholder={t.descriptionPlaceholder} onChange={(event) => set({ description: event.target.value })} aria-invalid={invalid('description')} />
      </Section>
      <Section title={t.location} help={t.locationHelp}>
        <PlaceMap point={point} onPick={pick} label={t.mapLabel} />
        <div className="citizen-coords">
          <label>
            {t.latitude}
            <input name="lat" inputMode="decimal" value={values.latitude} onChange={(event) => set({ latitude: event.target.value })} aria-invalid={invalid('latitude')} />
          </label>
          <label>
            {t.longitude}
            <input name="long" inputMode="decimal" value={values.longitude} onChange={(event) => set({ longitude: event.target.value })} aria-invalid={invalid('longitude')} />
          </label>
          <button type="button" onClick={usePosition} disabled={locating}>
            {locating ? t.locating : t.useMyPosition}
          </button>
        </div>
        {positionNote && <p className="fr-hint">{positionNote}</p>}
        <label>
          {t.address}
          <input name="address_string" value={values.address} placeholder={t.addressPlaceholder} maxLength={500} onChange={(event) => set({ address: event.target.value })} />
        </label>
      </Section>
      <Section title={t.photo} help={t.photoHelp}>
        <input
          type="file"
          name="media"
          accept="image/jpeg,image/png"
          capture="environment"
          onChange={(event) => {
            const file = event.target.files?.[0];
            setPhoto(file);
            set({ photo: file ? { name: file.name, sizeBytes: file.size } : null });
          }}
          aria-invalid={invalid('photoSize')}
        />
        {previewUrl && <img src={previewUrl} alt={t.yourPhoto} className="citizen-photo citizen-preview" />}
      </Section>
      <Section title={t.contact} help={t.contactHelp}>
        <div className="citizen-contact">
          <label>
            {t.lastName}
            <input name="last_name" autoComplete="family-name" maxLength={100} value={values.lastName} onChange={(event) => set({ lastName: event.target.value })} />
          </label>
          <label>
            {t.firstName}
            <input name="first_name" autoComplete="given-name" maxLength={100} value={values.firstName} onChange={(event) => set({ firstName: event.target.value })} />
          </label>
          <label>
            {t.email}
            <input name="email" type="email" autoComplete="email" maxLength={254} value={values.email} onChange={(event) => set({ email: event.target.value })} aria-invalid={invalid('email')} />
          </label>
          <label>
            {t.phone}
            <input name="phone" type="tel" autoComplete="tel" maxLength={32} value={values.phone} onChange={(event) => set({ phone: event.target.value })} />
          </label>
        </div>
      </Section>
      {problems.length > 0 && (
        <div className="fr-error" role="alert" data-code="FORM">
          <strong>{t.fixThese}</strong>
          <ul>
            {problems.map((problem) => (
              <li key={problem}>{problemText(problem)}</li>
            ))}
          </ul>
        </div>
      )}
      <ErrorBox problem={apiProblem} lang={lang} />
      <button type="submit" className="fr-primary citizen-submit" disabled={sending}>
        {sending ? t.sending : t.submit}
      </button>
    </form>
  );
}

function Created({ created, t, onFollow, onNew }: { created: Open311CreatedRequest; t: ReportStrings; onFollow: () => void; onNew: () => void }) {
  return (
    <section className="citizen-created" role="status">
      <h2>{t.created}</h2>
      <div className="citizen-id-label">{t.requestId}</div>
      <div className="citizen-id mono" data-testid="request-id">
        {created.service_request_id}
      </div>
      <p>{created.service_notice}</p>
      <p className="fr-hint">{t.createdHelp}</p>
      <div className="citizen-buttons">
        <a className="fr-button fr-primary" href={followPath(created.service_request_id)} onClick={(event) => (event.preventDefault(), onFollow())}>
          {t.followLink}
        </a>
        <button type="button" onClick={onNew}>
          {t.another}
        </button>
      </div>
    </section>
  );
}

function Lookup({ t, mine, onLookup }: { t: ReportStrings; mine: string[]; onLookup: (requestId: string) => void }) {
  const [requestId, setRequestId] = useState('');
  return (
    <form
      className="citizen-lookup"
      onSubmit={(event) => {
        event.preventDefault();
        if (requestId.trim()) onLookup(requestId.trim());
      }}
    >
      <h2>{t.lookup}</h2>
      <div className="citizen-coords">
        <input name="lookup" value={requestId} placeholder={t.lookupPlaceholder} onChange={(event) => setRequestId(event.target.value)} />
        <button type="submit">{t.lookupButton}</button>
      </div>
      {mine.length > 0 && (
        <div className="citizen-mine">
          <div className="fr-hint">{t.sentHere}</div>
          <ul>
            {mine.map((requestId) => (
              <li key={requestId}>
                <a href={followPath(requestId)} className="mono" onClick={(event) => (event.preventDefault(), onLookup(requestId))}>
                  {requestId}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}

function Follow({ requestId, t, lang, onNew }: { requestId: string; t: ReportStrings; lang: Lang; onNew: () => void }) {
  const [request, setRequest] = useState<Open311ServiceRequest | undefined>();
  const [problem, setProblem] = useState<ApiProblem | undefined>();

  const load = useCallback(async () => {
    try {
      setRequest(await citizenApi.request(requestId, lang));
      setProblem(undefined);
    } catch (error) {
      setProblem(problemOf(error));
    }
  }, [requestId, lang]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), FOLLOW_POLL_MS);
    return () => clearInterval(timer);
  }, [load]);

  const point = request && request.lat !== null && request.long !== null ? { latitude: request.lat, longitude: request.long } : null;
  // A reopened report has an old closing note in its history: the resolution shows only while it is closed.
  const closing = request?.status === 'closed' ? request.notes?.filter((note) => note.type === 'closed').at(-1) : undefined;

  return (
    <section className="citizen-follow" data-status={request?.status}>
      <h2>
        {t.followTitle} <span className="mono">{requestId}</span>
      </h2>
      <ErrorBox problem={problem} lang={lang} />
      {!request && !problem && <p>{t.loading}</p>}
      {request && (
        <>
          <div className="citizen-status-row">
            <span className={`fr-status fr-status-${request.status === 'closed' ? 'resolved' : 'assigned'}`} data-testid="citizen-status">
              {t.status[request.status]}
            </span>
            <span className="citizen-service">{request.service_name}</span>
            <button type="button" onClick={() => void load()}>
              {t.refresh}
            </button>
          </div>
          {closing && (
            <div className="citizen-resolution" data-testid="resolution">
              <h3>{t.resolution}</h3>
              <p>{closing.description ?? closing.summary}</p>
              {closing.media_url && <img src={closing.media_url} alt={t.photoOfFix} className="citizen-photo" />}
            </div>
          )}
          {!closing && request.status_notes && (
            <div className="citizen-latest">
              <h3>{t.statusNotes}</h3>
              <p data-testid="status-notes">{request.status_notes}</p>
            </div>
          )}
          <dl className="citizen-facts">
            <dt>{t.agency}</dt>
            <dd>{request.agency_responsible ?? '—'}</dd>
            <dt>{t.requested}</dt>
            <dd>{formatDateTime(Date.parse(request.requested_datetime))}</dd>
            <dt>{t.updated}</dt>
            <dd>{formatDateTime(Date.parse(request.updated_datetime))}</dd>
            {request.status === 'open' && request.expected_datetime && (
              <>
                <dt>{t.expected}</dt>
                <dd>{formatDateTime(Date.parse(request.expected_datetime))}</dd>
              </>
            )}
          </dl>
          {request.description && <p className="fr-description">{request.description}</p>}
          {request.media_url && <img src={request.media_url} alt={t.yourPhoto} className="citizen-photo" />}
          {point && <PlaceMap point={point} label={t.mapLabel} zoom={15} />}
          {request.address && <p className="fr-hint">{request.address}</p>}
          <h3>{t.history}</h3>
          <ol className="citizen-history">
            {[...(request.notes ?? [])].reverse().map((note, index) => (
              <li key={`${note.datetime}-${index}`} data-type={note.type}>
                <div className="fr-history-head">
                  <span className="fr-history-time">{formatDateTime(Date.parse(note.datetime))}</span>
                  <strong>{note.summary}</strong>
                </div>
                {note.description && <div className="fr-history-note">{note.description}</div>}
                {note.media_url && note.type !== 'closed' && <img src={note.media_url} alt={t.photoOfFix} className="citizen-photo" />}
              </li>
            ))}
          </ol>
        </>
      )}
      <button type="button" onClick={onNew}>
        {t.another}
      </button>
    </section>
  );
}
