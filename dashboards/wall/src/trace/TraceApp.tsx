import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { CameraSummary, PlateTraceResponse } from '@ioc/schemas';
import { formatDateTime, formatNumber, type Lang } from '../i18n';
import { ApiError, networkProblem, problemMessage, type ApiProblem } from '../field-reports/api-errors';
import { callApi } from '../field-reports/http';
import { UserMenu } from '../UserMenu';
import { initialForm, traceQueryOf, type TraceForm } from './query';
import { TRACE_STRINGS } from './strings';
import { TraceMap } from './TraceMap';

const LANG_KEY = 'ioc.trace.lang';

function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiError) return error.problem;
  return networkProblem(error instanceof Error ? error.message : String(error));
}

/**
 * `/trace`: a plate's sightings across cameras and time, on a map and as a timeline. `?plate=` (with `mode`,
 * `from`, `to`) prefills the form and runs the search, so the police console can link straight to a trace.
 */
export function TraceApp() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi'));
  const t = TRACE_STRINGS[lang];
  const [form, setForm] = useState<TraceForm>(() => initialForm(window.location.search, Date.now()));
  const [formProblem, setFormProblem] = useState<string | undefined>();
  const [apiProblem, setApiProblem] = useState<ApiProblem | undefined>();
  const [trace, setTrace] = useState<PlateTraceResponse | undefined>();
  const [busy, setBusy] = useState(false);
  const [cameras, setCameras] = useState<CameraSummary[]>([]);
  const [focusOrder, setFocusOrder] = useState<number | null>(null);
  const searchedOnce = useRef(false);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t.title]);

  useEffect(() => {
    callApi<{ cameras: CameraSummary[] }>('/api/v1/cameras')
      .then((body) => setCameras(body.cameras))
      .catch(() => setCameras([]));
  }, []);

  const run = useCallback(
    async (current: TraceForm) => {
      const checked = traceQueryOf(current);
      if (!checked.ok) {
        setFormProblem(t.problems[checked.problem]);
        return;
      }
      setFormProblem(undefined);
      setApiProblem(undefined);
      setBusy(true);
      setFocusOrder(null);
      // The URL names the search, so it can be bookmarked or sent on (the plate in its typed form).
      const url = new URL(window.location.href);
      url.search = new URLSearchParams({ plate: current.plate.trim(), mode: current.mode, from: checked.query.get('from') ?? '', to: checked.query.get('to') ?? '' }).toString();
      window.history.replaceState(null, '', url);
      try {
        setTrace(await callApi<PlateTraceResponse>(`/api/v1/plates/trace?${checked.query.toString()}`));
      } catch (error) {
        setTrace(undefined);
        setApiProblem(problemOf(error));
      } finally {
        setBusy(false);
      }
    },
    [t],
  );

  useEffect(() => {
    if (searchedOnce.current || form.plate.trim() === '') return;
    searchedOnce.current = true;
    void run(form);
  }, [form, run]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    searchedOnce.current = true;
    void run(form);
  };

  const rows = trace?.visits.flatMap((visit) => visit.sightings.map((sighting) => ({ visit, sighting }))) ?? [];

  return (
    <div className="fr-page trace">
      <header className="fr-header">
        <div>
          <h1>{t.title}</h1>
          <div className="fr-subtitle">{t.subtitle}</div>
        </div>
        <div className="fr-header-tools">
          <UserMenu lang={lang} />
          <button type="button" className="fr-lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
            {t.switchLang}
          </button>
        </div>
      </header>
      <form className="trace-form" onSubmit={submit} noValidate>
        <label>
          {t.plateLabel}
          <input name="plate" value={form.plate} placeholder={t.platePlaceholder} maxLength={40} autoComplete="off" onChange={(event) => setForm({ ...form, plate: event.target.value })} />
        </label>
        <div className="trace-mode" role="radiogroup" aria-label={`${t.exact} / ${t.fuzzy}`}>
          {(['exact', 'fuzzy'] as const).map((mode) => (
            <button key={mode} type="button" role="radio" aria-checked={form.mode === mode} className={form.mode === mode ? 'fr-primary' : ''} onClick={() => setForm({ ...form, mode })} data-testid={`mode-${mode}`}>
              {mode === 'exact' ? t.exact : t.fuzzy}
            </button>
          ))}
        </div>
        <label>
          {t.fromLabel}
          <input name="from" className="mono" value={form.fromText} onChange={(event) => setForm({ ...form, fromText: event.target.value })} />
        </label>
        <label>
          {t.toLabel}
          <input name="to" className="mono" value={form.toText} onChange={(event) => setForm({ ...form, toText: event.target.value })} />
        </label>
        <button type="submit" className="fr-primary" disabled={busy}>
          {busy ? t.searching : t.search}
        </button>
        <span className="fr-hint trace-privacy">{t.privacy}</span>
      </form>
      {formProblem && (
        <div className="fr-error trace-message" role="alert" data-code="FORM">
          <strong>{formProblem}</strong>
        </div>
      )}
      {apiProblem && (
        <div className="fr-error trace-message" role="alert" data-code={apiProblem.code}>
          <strong>{problemMessage(apiProblem, lang)}</strong>
          {apiProblem.detail && <span className="fr-error-detail">{apiProblem.detail}</span>}
          <span className="fr-error-code">{apiProblem.code}</span>
        </div>
      )}
      <main className="trace-main">
        <TraceMap cameras={cameras} visits={trace?.visits ?? []} focusOrder={focusOrder} label={t.mapLabel} />
        <section className="trace-list" aria-label={t.title}>
          {trace && (
            <h2 data-testid="trace-summary">
              {trace.plate} · {t.visits(trace.visits.length)}
            </h2>
          )}
          {trace && rows.length === 0 && <p className="fr-muted">{t.noSightings}</p>}
          {rows.length > 0 && (
            <table className="trace-table" data-testid="trace-table">
              <thead>
                <tr>
                  <th>#</th>
                  <th>{t.camera}</th>
                  <th>{t.time}</th>
                  <th>{t.plateRead}</th>
                  <th>{t.confidence}</th>
                  {trace?.mode === 'fuzzy' && <th>{t.matchScore}</th>}
                  <th>{t.crop}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ visit, sighting }) => (
                  <tr
                    key={sighting.id}
                    className={visit.order === focusOrder ? 'trace-row trace-row-focus' : 'trace-row'}
                    onClick={() => setFocusOrder(visit.order)}
                    tabIndex={0}
                    onKeyDown={(event) => {
                      if (event.key === 'Enter') setFocusOrder(visit.order);
                    }}
                    data-order={visit.order}
                  >
                    <td className="trace-order">{visit.order}</td>
                    <td>
                      {sighting.cameraName ?? sighting.cameraId}
                      <div className="fr-hint">
                        {t.source[sighting.source]}
                        {sighting.location ? '' : ` · ${t.unplaced}`}
                      </div>
                    </td>
                    <td className="mono">{formatDateTime(Date.parse(sighting.seenAt), { seconds: true })}</td>
                    <td className="mono trace-plate">{sighting.plateText}</td>
                    <td className="mono">{formatNumber(Math.round(sighting.confidence * 100), lang)} %</td>
                    {trace?.mode === 'fuzzy' && <td className="mono">{formatNumber(Math.round(sighting.matchScore * 100), lang)} %</td>}
                    <td>
                      {sighting.plateCropSha256 && <img className="trace-crop" src={`/api/v1/plates/crops/${sighting.plateCropSha256}`} alt={sighting.plateText} loading="lazy" />}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </div>
  );
}
