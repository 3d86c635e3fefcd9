import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { io } from 'socket.io-client';
import { OPEN311_SERVICES, open311Service, type FieldReport, type FieldReportHistoryEntry, type WallDeltaBatch } from '@ioc/schemas';
import { formatDateTime, formatNumber, type Lang } from '../i18n';
import { ApiError, problemMessage, type ApiProblem } from '../field-reports/api-errors';
import { PlaceMap } from '../field-reports/PlaceMap';
import { operatorApi, type ReportDetail } from './api';
import { EMPTY_FILTERS, durationParts, fieldReportIdsIn, listQueryOf, matchesText, parseVietnamDateTime, slaStateOf, sortByUrgency, type QueueFilters } from './queue';
import { OPERATOR_STRINGS, type OperatorStrings } from './strings';
import { UserMenu } from '../UserMenu';
import { loadSession } from '../session';

/** A backstop for missed socket events (and the only refresh when the socket is down). */
const POLL_INTERVAL_MS = 15_000;
const OPERATOR_NAME_KEY = 'ioc.operator.name';
const LANG_KEY = 'ioc.operator.lang';

function serviceName(code: string, lang: Lang): string {
  const service = open311Service(code);
  return service ? (lang === 'en' ? service.nameEn : service.nameVi) : code;
}

const AGENCIES = [...new Set(OPEN311_SERVICES.map((service) => service.agencyVi))].sort((a, b) => a.localeCompare(b, 'vi'));

function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiError) return error.problem;
  return { httpStatus: 0, code: 'OTHER', detail: error instanceof Error ? error.message : String(error) };
}

function ErrorBox({ problem, lang }: { problem: ApiProblem | undefined; lang: Lang }) {
  if (!problem) return null;
  // FORM: caught in the page before any request; the detail is already the sentence to show.
  if (problem.code === 'FORM') {
    return (
      <div className="fr-error" role="alert" data-code={problem.code}>
        <strong>{problem.detail}</strong>
      </div>
    );
  }
  return (
    <div className="fr-error" role="alert" data-code={problem.code}>
      <strong>{problemMessage(problem, lang)}</strong>
      {problem.detail && <span className="fr-error-detail">{problem.detail}</span>}
      <span className="fr-error-code">{problem.code}</span>
    </div>
  );
}

function SlaBadge({ report, nowMs, t }: { report: FieldReport; nowMs: number; t: OperatorStrings }) {
  const state = slaStateOf(report, nowMs);
  let text = t.sla[state];
  if (report.expectedAt && (state === 'overdue' || state === 'dueSoon' || state === 'onTrack')) {
    const remainingMs = Date.parse(report.expectedAt) - nowMs;
    const duration = t.duration(durationParts(remainingMs));
    text = state === 'overdue' ? t.overdueBy(duration) : t.dueIn(duration);
  }
  return <span className={`fr-sla fr-sla-${state}`}>{text}</span>;
}

export function OperatorApp() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi'));
  const t = OPERATOR_STRINGS[lang];
  const [operator, setOperator] = useState(() => localStorage.getItem(OPERATOR_NAME_KEY) ?? OPERATOR_STRINGS.vi.defaultOperator);
  const [hadStoredName] = useState(() => localStorage.getItem(OPERATOR_NAME_KEY) !== null);
  const [filters, setFilters] = useState<QueueFilters>(EMPTY_FILTERS);
  const [reports, setReports] = useState<FieldReport[] | undefined>();
  const [total, setTotal] = useState(0);
  const [asOfMs, setAsOfMs] = useState<number | undefined>();
  const [listProblem, setListProblem] = useState<ApiProblem | undefined>();
  const [selectedId, setSelectedId] = useState<string | undefined>(() => new URLSearchParams(window.location.search).get('id') ?? undefined);
  const [detail, setDetail] = useState<ReportDetail | undefined>();
  const [detailProblem, setDetailProblem] = useState<ApiProblem | undefined>();
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [socketLive, setSocketLive] = useState(false);
  const listQuery = listQueryOf(filters);
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t.title]);
  useEffect(() => localStorage.setItem(OPERATOR_NAME_KEY, operator), [operator]);
  // On this browser's first visit the name in the report history is the signed-in account's, not a generic one.
  useEffect(() => {
    if (hadStoredName) return;
    void loadSession().then((session) => {
      const name = session.user?.displayName || session.user?.username;
      if (name) setOperator(name);
    });
  }, [hadStoredName]);

  const loadList = useCallback(async () => {
    try {
      const list = await operatorApi.list(listQuery);
      setReports(list.reports);
      setTotal(list.total);
      setAsOfMs(Date.parse(list.asOf));
      setListProblem(undefined);
    } catch (error) {
      setListProblem(problemOf(error));
    }
  }, [listQuery]);

  const loadDetail = useCallback(async (id: string) => {
    try {
      const next = await operatorApi.get(id);
      if (selectedRef.current === id) {
        setDetail(next);
        setDetailProblem(undefined);
      }
    } catch (error) {
      if (selectedRef.current === id) setDetailProblem(problemOf(error));
    }
  }, []);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  useEffect(() => {
    setDetail(undefined);
    setDetailProblem(undefined);
    const url = new URL(window.location.href);
    if (selectedId) url.searchParams.set('id', selectedId);
    else url.searchParams.delete('id');
    window.history.replaceState(null, '', url);
    if (selectedId) void loadDetail(selectedId);
  }, [selectedId, loadDetail]);

  // Live: the API announces every new report and status change on the bus, which reaches `/wall` as alerts.
  useEffect(() => {
    const socket = io('/wall', { transports: ['websocket', 'polling'], reconnectionDelay: 1000, reconnectionDelayMax: 15_000 });
    socket.on('connect', () => setSocketLive(true));
    socket.on('disconnect', () => setSocketLive(false));
    socket.on('deltas', (batch: WallDeltaBatch) => {
      const ids = fieldReportIdsIn(batch.events);
      if (ids.length === 0) return;
      void loadList();
      const selected = selectedRef.current;
      if (selected && ids.includes(selected)) void loadDetail(selected);
    });
    return () => {
      socket.close();
    };
  }, [loadList, loadDetail]);

  useEffect(() => {
    const timer = setInterval(() => {
      setNowMs(Date.now());
      void loadList();
      if (selectedRef.current) void loadDetail(selectedRef.current);
    }, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [loadList, loadDetail]);

  const shown = useMemo(() => {
    if (!reports) return [];
    return sortByUrgency(
      reports.filter((report) => matchesText(report, filters.text, serviceName(report.serviceCode, lang))),
      nowMs,
    );
  }, [reports, filters.text, nowMs, lang]);

  const agencies = useMemo(() => [...new Set([...AGENCIES, ...(reports ?? []).map((report) => report.agencyResponsible).filter((agency): agency is string => !!agency)])].sort((a, b) => a.localeCompare(b, 'vi')), [reports]);

  const onChanged = useCallback(
    async (id: string) => {
      setNowMs(Date.now());
      await Promise.all([loadList(), loadDetail(id)]);
    },
    [loadList, loadDetail],
  );

  return (
    <div className="fr-page operator">
      <header className="fr-header">
        <div>
          <h1>{t.title}</h1>
          <div className="fr-subtitle">{t.subtitle}</div>
        </div>
        <div className="fr-header-tools">
          <UserMenu lang={lang} />
          <span className={`fr-live ${socketLive ? 'fr-live-on' : ''}`} data-testid="live-state">
            {socketLive ? t.live : t.polling}
            {asOfMs !== undefined && ` · ${t.updatedAt(formatDateTime(asOfMs, { seconds: true }))}`}
          </span>
          <label className="fr-operator">
            {t.operatorLabel}
            <input value={operator} onChange={(event) => setOperator(event.target.value)} maxLength={100} name="operator" />
          </label>
          <button type="button" className="fr-lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
            {t.switchLang}
          </button>
        </div>
      </header>
      <main className="operator-main">
        <section className="operator-queue" aria-label={t.title}>
          <Filters filters={filters} onChange={setFilters} agencies={agencies} t={t} lang={lang} />
          <ErrorBox problem={listProblem} lang={lang} />
          <div className="operator-count" data-testid="queue-count">
            {t.count(formatNumber(shown.length, lang, 0), formatNumber(total, lang, 0))}
          </div>
          <div className="operator-table-wrap">
            <table className="operator-table">
              <thead>
                <tr>
                  <th>{t.columns.id}</th>
                  <th>{t.columns.service}</th>
                  <th>{t.columns.place}</th>
                  <th>{t.columns.received}</th>
                  <th>{t.columns.due}</th>
                  <th>{t.columns.status}</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((report) => (
                  <tr
                    key={report.id}
                    data-report-id={report.id}
                    data-sla={slaStateOf(report, nowMs)}
                    className={`${report.id === selectedId ? 'selected' : ''} fr-row-${slaStateOf(report, nowMs)}`}
                    onClick={() => setSelectedId(report.id)}
                    tabIndex={0}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter') setSelectedId(report.id);
                    }}
                  >
                    <td className="mono">{report.id}</td>
                    <td>{serviceName(report.serviceCode, lang)}</td>
                    <td className="operator-place">
                      <div>{report.description ?? '—'}</div>
                      {report.address && <div className="fr-muted">{report.address}</div>}
                    </td>
                    <td>{formatDateTime(Date.parse(report.requestedAt))}</td>
                    <td>
                      <SlaBadge report={report} nowMs={nowMs} t={t} />
                    </td>
                    <td>
                      <span className={`fr-status fr-status-${report.status}`}>{t.statuses[report.status]}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {reports && shown.length === 0 && <div className="fr-empty">{t.empty}</div>}
            {!reports && !listProblem && <div className="fr-empty">{t.loading}</div>}
          </div>
        </section>
        <section className="operator-detail" aria-live="polite">
          {!selectedId && <div className="fr-empty">{t.pickOne}</div>}
          {selectedId && <ErrorBox problem={detailProblem} lang={lang} />}
          {selectedId && !detail && !detailProblem && <div className="fr-empty">{t.loading}</div>}
          {detail && detail.report.id === selectedId && <Detail key={detail.report.id} detail={detail} t={t} lang={lang} nowMs={nowMs} operator={operator} agencies={agencies} onChanged={onChanged} />}
        </section>
      </main>
    </div>
  );
}

function Filters({ filters, onChange, agencies, t, lang }: { filters: QueueFilters; onChange: (filters: QueueFilters) => void; agencies: string[]; t: OperatorStrings; lang: Lang }) {
  const set = (patch: Partial<QueueFilters>) => onChange({ ...filters, ...patch });
  return (
    <div className="operator-filters">
      <label>
        {t.filters.text}
        <input type="search" name="text" value={filters.text} placeholder={t.filters.textPlaceholder} onChange={(event) => set({ text: event.target.value })} />
      </label>
      <label>
        {t.filters.status}
        <select name="status" value={filters.status} onChange={(event) => set({ status: event.target.value as QueueFilters['status'] })}>
          <option value="">{t.filters.all}</option>
          {(['new', 'assigned', 'resolved'] as const).map((status) => (
            <option key={status} value={status}>
              {t.statuses[status]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.filters.service}
        <select name="serviceCode" value={filters.serviceCode} onChange={(event) => set({ serviceCode: event.target.value })}>
          <option value="">{t.filters.all}</option>
          {OPEN311_SERVICES.map((service) => (
            <option key={service.serviceCode} value={service.serviceCode}>
              {lang === 'en' ? service.nameEn : service.nameVi}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.filters.agency}
        <select name="agency" value={filters.agency} onChange={(event) => set({ agency: event.target.value })}>
          <option value="">{t.filters.all}</option>
          {agencies.map((agency) => (
            <option key={agency} value={agency}>
              {agency}
            </option>
          ))}
        </select>
      </label>
      <label className="fr-check">
        <input type="checkbox" name="overdueOnly" checked={filters.overdueOnly} onChange={(event) => set({ overdueOnly: event.target.checked })} />
        {t.filters.overdueOnly}
      </label>
      <button type="button" onClick={() => onChange(EMPTY_FILTERS)}>
        {t.filters.clear}
      </button>
    </div>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fr-field">
      <div className="fr-field-label">{label}</div>
      <div className="fr-field-value">{children}</div>
    </div>
  );
}

interface DetailProps {
  detail: ReportDetail;
  t: OperatorStrings;
  lang: Lang;
  nowMs: number;
  operator: string;
  agencies: string[];
  onChanged: (id: string) => Promise<void>;
}

function Detail({ detail, t, lang, nowMs, operator, agencies, onChanged }: DetailProps) {
  const { report, history } = detail;
  const fixPhotos = history.map((entry) => entry.details.photoSha256).filter((sha): sha is string => typeof sha === 'string');
  const contactName = [report.contact.lastName, report.contact.firstName].filter(Boolean).join(' ');
  const contact = [contactName, report.contact.email, report.contact.phone].filter(Boolean).join(' · ');
  const point = report.latitude !== null && report.longitude !== null ? { latitude: report.latitude, longitude: report.longitude } : null;
  const attributes = Object.entries(report.attributes);
  const service = open311Service(report.serviceCode);

  return (
    <article className="operator-report" data-report-id={report.id} data-status={report.status}>
      <header className="operator-report-head">
        <h2>
          <span className="mono">{report.id}</span> · {serviceName(report.serviceCode, lang)}
        </h2>
        <div className="operator-report-badges">
          <span className={`fr-status fr-status-${report.status}`} data-testid="detail-status">
            {t.statuses[report.status]}
          </span>
          <SlaBadge report={report} nowMs={nowMs} t={t} />
        </div>
      </header>
      <div className="operator-report-grid">
        <div className="operator-report-left">
          <Field label={t.detail.description}>
            <p className="fr-description">{report.description ?? t.detail.noDescription}</p>
          </Field>
          {attributes.length > 0 && (
            <Field label={t.detail.attributes}>
              {attributes.map(([code, value]) => {
                const definition = service?.attributes.find((attribute) => attribute.code === code);
                const values = (Array.isArray(value) ? value : [value]).map((key) => {
                  const named = definition?.values?.find((option) => option.key === key);
                  return named ? (lang === 'en' ? named.nameEn : named.nameVi) : key;
                });
                return (
                  <div key={code}>
                    {definition ? (lang === 'en' ? definition.descriptionEn : definition.descriptionVi) : code}: {values.join(', ')}
                  </div>
                );
              })}
            </Field>
          )}
          <div className="fr-facts">
            <Field label={t.detail.received}>{formatDateTime(Date.parse(report.requestedAt))}</Field>
            <Field label={t.detail.due}>{report.expectedAt ? formatDateTime(Date.parse(report.expectedAt)) : '—'}</Field>
            <Field label={t.detail.agency}>
              <span data-testid="detail-agency">{report.agencyResponsible ?? '—'}</span>
            </Field>
            {report.closedAt && <Field label={t.detail.closed}>{formatDateTime(Date.parse(report.closedAt))}</Field>}
            <Field label={t.detail.contact}>{contact || t.detail.anonymous}</Field>
            {report.apiKeyName && <Field label={t.detail.app}>{report.apiKeyName}</Field>}
          </div>
          <Field label={t.detail.photos}>
            <div className="fr-photos">
              {report.mediaSha256 ? (
                <figure>
                  <a href={operatorApi.mediaUrl(report.mediaSha256)} target="_blank" rel="noreferrer">
                    <img src={operatorApi.mediaUrl(report.mediaSha256)} alt={t.detail.citizenPhoto} data-testid="citizen-photo" />
                  </a>
                  <figcaption>{t.detail.citizenPhoto}</figcaption>
                </figure>
              ) : report.externalMediaUrl ? (
                <a href={report.externalMediaUrl} target="_blank" rel="noreferrer">
                  {report.externalMediaUrl}
                </a>
              ) : (
                <span className="fr-muted">{t.detail.noPhoto}</span>
              )}
              {fixPhotos.map((sha) => (
                <figure key={sha}>
                  <a href={operatorApi.mediaUrl(sha)} target="_blank" rel="noreferrer">
                    <img src={operatorApi.mediaUrl(sha)} alt={t.detail.fixPhoto} data-testid="fix-photo" />
                  </a>
                  <figcaption>{t.detail.fixPhoto}</figcaption>
                </figure>
              ))}
            </div>
          </Field>
        </div>
        <div className="operator-report-right">
          <Field label={t.detail.place}>
            <div className="fr-address">{report.address ?? (point ? '' : t.detail.noPlace)}</div>
            {point && (
              <>
                <PlaceMap point={point} label={t.mapLabel} zoom={11} />
                <div className="fr-muted mono">
                  {formatNumber(point.latitude, lang, 5)}; {formatNumber(point.longitude, lang, 5)}
                </div>
              </>
            )}
          </Field>
        </div>
      </div>
      <Actions report={report} t={t} lang={lang} operator={operator} agencies={agencies} onChanged={onChanged} />
      <History history={history} t={t} />
    </article>
  );
}

function useAction(lang: Lang, onDone: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = async (action: () => Promise<unknown>, doneText: string) => {
    setBusy(true);
    setProblem(undefined);
    setDone(undefined);
    try {
      await action();
      setDone(doneText);
      await onDone();
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  const feedback = (
    <>
      <ErrorBox problem={problem} lang={lang} />
      {done && (
        <div className="fr-done" role="status">
          {done}
        </div>
      )}
    </>
  );
  return { busy, run, feedback, setProblem };
}

function Actions({ report, t, lang, operator, agencies, onChanged }: { report: FieldReport; t: OperatorStrings; lang: Lang; operator: string; agencies: string[]; onChanged: (id: string) => Promise<void> }) {
  const action = useAction(lang, () => onChanged(report.id));
  const slaHours = open311Service(report.serviceCode)?.slaHours ?? 72;
  const [serviceCode, setServiceCode] = useState(report.serviceCode);
  const [categoriseNote, setCategoriseNote] = useState('');
  const [agency, setAgency] = useState(report.agencyResponsible ?? open311Service(report.serviceCode)?.agencyVi ?? '');
  const [dueText, setDueText] = useState(() => formatDateTime(Date.now() + slaHours * 3_600_000));
  const [assignNote, setAssignNote] = useState('');
  const [note, setNote] = useState('');
  const [notePublic, setNotePublic] = useState(true);
  const [resolveNote, setResolveNote] = useState('');
  const [reopenNote, setReopenNote] = useState('');
  const photoRef = useRef<HTMLInputElement | null>(null);
  // The report changes under the forms (a categorise gives a new report its service's agency and SLA, another
  // operator may assign it): follow it, keeping what the operator is typing elsewhere.
  useEffect(() => setServiceCode(report.serviceCode), [report.serviceCode]);
  useEffect(() => {
    if (report.agencyResponsible) setAgency(report.agencyResponsible);
  }, [report.agencyResponsible]);
  useEffect(() => setDueText(formatDateTime(Date.now() + slaHours * 3_600_000)), [slaHours]);
  const who = operator.trim() || t.defaultOperator;
  const local = (problemText: string) => action.setProblem({ httpStatus: 0, code: 'FORM', detail: problemText });
  const optional = (text: string) => (text.trim() ? text.trim() : undefined);
  const resolved = report.status === 'resolved';

  const submit = (handler: () => void) => (event: FormEvent) => {
    event.preventDefault();
    if (!action.busy) handler();
  };

  return (
    <section className="operator-actions" aria-label={t.actions.assign}>
      {action.feedback}
      {!resolved && (
        <div className="operator-action-grid">
          <form className="operator-action" data-action="categorise" onSubmit={submit(() => void action.run(() => operatorApi.categorise(report.id, { operator: who, serviceCode, note: optional(categoriseNote) }), t.actions.done.categorised))}>
            <h3>{t.actions.categorise}</h3>
            <select name="serviceCode" value={serviceCode} onChange={(event) => setServiceCode(event.target.value)}>
              {OPEN311_SERVICES.map((service) => (
                <option key={service.serviceCode} value={service.serviceCode}>
                  {lang === 'en' ? service.nameEn : service.nameVi}
                </option>
              ))}
            </select>
            <input name="note" value={categoriseNote} onChange={(event) => setCategoriseNote(event.target.value)} placeholder={t.actions.optionalNote} maxLength={4000} />
            <button type="submit" disabled={action.busy || serviceCode === report.serviceCode}>
              {t.actions.categoriseButton}
            </button>
          </form>
          <form
            className="operator-action"
            data-action="assign"
            onSubmit={submit(() => {
              const dueAtMs = parseVietnamDateTime(dueText);
              if (dueAtMs === undefined || dueAtMs <= Date.now()) return local(t.actions.needDue);
              if (!agency.trim()) return local(t.actions.needNote);
              void action.run(() => operatorApi.assign(report.id, { operator: who, agency: agency.trim(), dueAt: new Date(dueAtMs).toISOString(), note: optional(assignNote) }), t.actions.done.assigned);
            })}
          >
            <h3>{t.actions.assign}</h3>
            <input name="agency" list="operator-agencies" value={agency} onChange={(event) => setAgency(event.target.value)} aria-label={t.actions.agency} maxLength={200} />
            <datalist id="operator-agencies">
              {agencies.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
            <label className="fr-inline">
              {t.actions.dueAt}
              <input name="dueAt" value={dueText} placeholder="dd/mm/yyyy hh:mm" inputMode="numeric" onChange={(event) => setDueText(event.target.value)} />
            </label>
            <div className="fr-due-quick">
              {[4, 24, slaHours].filter((hours, index, all) => all.indexOf(hours) === index).map((hours) => (
                <button key={hours} type="button" onClick={() => setDueText(formatDateTime(Date.now() + hours * 3_600_000))}>
                  {hours === slaHours ? t.actions.slaHours(hours) : t.actions.inHours(hours)}
                </button>
              ))}
            </div>
            <input name="note" value={assignNote} onChange={(event) => setAssignNote(event.target.value)} placeholder={t.actions.optionalNote} maxLength={4000} />
            <button type="submit" disabled={action.busy}>
              {t.actions.assignButton}
            </button>
          </form>
          <form
            className="operator-action"
            data-action="note"
            onSubmit={submit(() => {
              if (!note.trim()) return local(t.actions.needNote);
              void action.run(async () => {
                await operatorApi.note(report.id, { operator: who, note: note.trim(), public: notePublic });
                setNote('');
              }, t.actions.done.noted);
            })}
          >
            <h3>{t.actions.note}</h3>
            <textarea name="note" value={note} onChange={(event) => setNote(event.target.value)} placeholder={t.actions.notePlaceholder} rows={2} maxLength={4000} />
            <label className="fr-check">
              <input type="checkbox" name="public" checked={notePublic} onChange={(event) => setNotePublic(event.target.checked)} />
              {t.actions.notePublic}
            </label>
            <button type="submit" disabled={action.busy}>
              {t.actions.noteButton}
            </button>
          </form>
          <form
            className="operator-action"
            data-action="resolve"
            onSubmit={submit(() => {
              if (!resolveNote.trim()) return local(t.actions.needNote);
              void action.run(() => operatorApi.resolve(report.id, { operator: who, note: resolveNote.trim() }, photoRef.current?.files?.[0]), t.actions.done.resolved);
            })}
          >
            <h3>{t.actions.resolve}</h3>
            <textarea name="note" value={resolveNote} onChange={(event) => setResolveNote(event.target.value)} placeholder={t.actions.resolveNote} rows={2} maxLength={4000} />
            <label className="fr-inline">
              {t.actions.resolvePhoto}
              <input type="file" name="media" accept="image/jpeg,image/png" ref={photoRef} />
            </label>
            <button type="submit" className="fr-primary" disabled={action.busy}>
              {t.actions.resolveButton}
            </button>
          </form>
        </div>
      )}
      {resolved && (
        <form
          className="operator-action"
          data-action="reopen"
          onSubmit={submit(() => {
            if (!reopenNote.trim()) return local(t.actions.needNote);
            void action.run(() => operatorApi.reopen(report.id, { operator: who, note: reopenNote.trim() }), t.actions.done.reopened);
          })}
        >
          <h3>{t.actions.reopen}</h3>
          <textarea name="note" value={reopenNote} onChange={(event) => setReopenNote(event.target.value)} placeholder={t.actions.reopenNote} rows={2} maxLength={4000} />
          <button type="submit" disabled={action.busy}>
            {t.actions.reopenButton}
          </button>
        </form>
      )}
    </section>
  );
}

function History({ history, t }: { history: FieldReportHistoryEntry[]; t: OperatorStrings }) {
  return (
    <section className="operator-history">
      <h3>{t.detail.history}</h3>
      <ol>
        {[...history].reverse().map((entry) => (
          <li key={entry.id} data-action={entry.action}>
            <div className="fr-history-head">
              <span className="fr-history-time">{formatDateTime(Date.parse(entry.at))}</span>
              <strong>{t.historyActions[entry.action]}</strong>
              {entry.fromStatus !== entry.toStatus && (
                <span className="fr-muted">
                  {entry.fromStatus ? `${t.statuses[entry.fromStatus]} → ` : ''}
                  {t.statuses[entry.toStatus]}
                </span>
              )}
              <span className="fr-muted">· {entry.actor}</span>
              {!entry.public && <span className="fr-internal">{t.detail.internal}</span>}
            </div>
            {entry.note && <div className="fr-history-note">{entry.note}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
