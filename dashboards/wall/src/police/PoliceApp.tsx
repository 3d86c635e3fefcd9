import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { io } from 'socket.io-client';
import {
  VIOLATION_RULE_WORDS,
  actionsFrom,
  rejectReasonSchema,
  violationRuleSchema,
  type PoliceAction,
  type PoliceHello,
  type RejectReason,
  type ViolationActionEntry,
  type ViolationRecord,
} from '@ioc/schemas';
import { formatDateTime, type Lang } from '../i18n';
import { ApiError, problemMessage, type ApiProblem } from '../field-reports/api-errors';
import { PlaceMap } from '../field-reports/PlaceMap';
import { policeApi } from './api';
import { AlertBeeper } from './beep';
import { EMPTY_POLICE_FILTERS, exportParams, filterParams, matchesFilters, percent, sortQueue, traceHref, upsert, type PoliceFilters } from './queue';
import { POLICE_STRINGS, type PoliceStrings } from './strings';
import { UserMenu } from '../UserMenu';

/** A backstop for missed socket events (and the only refresh while the socket is down). */
const POLL_INTERVAL_MS = 30_000;
const LANG_KEY = 'ioc.police.lang';
const SOUND_KEY = 'ioc.police.sound';
/** How long a pushed case stays marked "new" in the queue. */
const FRESH_MS = 60_000;

function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiError) return error.problem;
  return { httpStatus: 0, code: 'OTHER', detail: error instanceof Error ? error.message : String(error) };
}

function ErrorBox({ problem, lang }: { problem: ApiProblem | undefined; lang: Lang }) {
  if (!problem) return null;
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

const ruleWords = (rule: ViolationRecord['rule'], lang: Lang) => VIOLATION_RULE_WORDS[rule][lang];
const time = (iso: string) => formatDateTime(Date.parse(iso), { seconds: true });

export function PoliceApp() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi'));
  const t = POLICE_STRINGS[lang];
  const [filters, setFilters] = useState<PoliceFilters>(EMPTY_POLICE_FILTERS);
  const [records, setRecords] = useState<ViolationRecord[] | undefined>();
  const [total, setTotal] = useState(0);
  const [listProblem, setListProblem] = useState<ApiProblem | undefined>();
  const [selectedId, setSelectedId] = useState<string | undefined>(() => new URLSearchParams(window.location.search).get('id') ?? undefined);
  const [trail, setTrail] = useState<ViolationActionEntry[] | undefined>();
  const [socketLive, setSocketLive] = useState(false);
  const [hello, setHello] = useState<PoliceHello | undefined>();
  const [fresh, setFresh] = useState<Record<string, number>>({});
  const beeper = useMemo(() => new AlertBeeper(), []);
  const [soundWanted, setSoundWanted] = useState(() => localStorage.getItem(SOUND_KEY) === 'on');
  const [soundRunning, setSoundRunning] = useState(false);
  const [beeps, setBeeps] = useState(0);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;
  const params = filterParams(filters).toString();

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t.title]);

  const loadList = useCallback(async () => {
    try {
      const list = await policeApi.list(new URLSearchParams(params));
      setRecords(list.violations);
      setTotal(list.total);
      setListProblem(undefined);
    } catch (error) {
      setListProblem(problemOf(error));
    }
  }, [params]);

  const loadTrail = useCallback(async (id: string) => {
    try {
      const body = await policeApi.trail(id);
      if (selectedRef.current === id) setTrail(body.actions);
    } catch {
      if (selectedRef.current === id) setTrail([]);
    }
  }, []);

  useEffect(() => {
    void loadList();
  }, [loadList]);

  useEffect(() => {
    setTrail(undefined);
    const url = new URL(window.location.href);
    if (selectedId) url.searchParams.set('id', selectedId);
    else url.searchParams.delete('id');
    window.history.replaceState(null, '', url);
    if (selectedId) void loadTrail(selectedId);
  }, [selectedId, loadTrail]);

  // Live: `/police` pushes new cases and officers' actions for what this viewer may see; every (re)connect
  // reloads the queue (the resync: nothing is replayed, the store is the record).
  const loadListRef = useRef(loadList);
  loadListRef.current = loadList;
  useEffect(() => {
    const socket = io('/police', { transports: ['websocket', 'polling'], reconnectionDelay: 1000, reconnectionDelayMax: 15_000 });
    socket.on('connect', () => setSocketLive(true));
    socket.on('disconnect', () => setSocketLive(false));
    socket.on('hello', (message: PoliceHello) => {
      setHello(message);
      void loadListRef.current();
    });
    socket.on('violation.new', (record: ViolationRecord) => {
      if (!matchesFilters(record, filtersRef.current)) return;
      // A case already listed (pushed while the reload after `hello` was under way) is not counted twice.
      setRecords((current) => {
        if (!current?.some((item) => item.id === record.id)) setTotal((count) => count + 1);
        return current ? upsert(current, record) : [record];
      });
      setFresh((current) => ({ ...current, [record.id]: Date.now() }));
      if (beeper.beep()) setBeeps((count) => count + 1);
    });
    socket.on('violation.updated', ({ violation }: { violation: ViolationRecord; entry: ViolationActionEntry }) => {
      setRecords((current) => (current ? (matchesFilters(violation, filtersRef.current) ? upsert(current, violation) : current.filter((item) => item.id !== violation.id)) : current));
      if (selectedRef.current === violation.id) void loadTrail(violation.id);
    });
    return () => {
      socket.close();
    };
  }, [beeper, loadTrail]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (!socketLive) void loadList();
      const now = Date.now();
      setFresh((current) => Object.fromEntries(Object.entries(current).filter(([, at]) => now - at < FRESH_MS)));
    }, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [socketLive, loadList]);

  // Sound: wanted (remembered) but blocked until a click on the page; the first click anywhere resumes it.
  useEffect(() => {
    if (!soundWanted || soundRunning) return;
    const resume = () => {
      void beeper.enable().then(setSoundRunning);
    };
    window.addEventListener('pointerdown', resume, { once: true });
    return () => window.removeEventListener('pointerdown', resume);
  }, [soundWanted, soundRunning, beeper]);

  const toggleSound = async () => {
    if (soundWanted && soundRunning) {
      setSoundWanted(false);
      setSoundRunning(false);
      localStorage.setItem(SOUND_KEY, 'off');
      return;
    }
    setSoundWanted(true);
    localStorage.setItem(SOUND_KEY, 'on');
    const running = await beeper.enable();
    setSoundRunning(running);
    if (running && beeper.beep()) setBeeps((count) => count + 1);
  };
  const soundOn = soundWanted && soundRunning;

  const shown = useMemo(() => (records ? sortQueue(records) : []), [records]);
  const selected = shown.find((record) => record.id === selectedId);
  const cameras = useMemo(() => [...new Set((records ?? []).map((record) => record.cameraId))].sort(), [records]);
  const exportable = shown.filter((record) => record.status === 'confirmed' || record.status === 'dispatched').length;

  const onActed = useCallback(
    (violation: ViolationRecord) => {
      setRecords((current) => (current ? upsert(current, violation) : current));
      void loadTrail(violation.id);
    },
    [loadTrail],
  );

  return (
    <div className="fr-page police" data-beeps={beeps}>
      <header className="fr-header">
        <div>
          <h1>{t.title}</h1>
          <div className="fr-subtitle">
            {t.subtitle}
            {hello && !hello.scope.province && ` · ${t.fields.district}: ${hello.scope.districtCodes.join(', ')}`}
          </div>
        </div>
        <div className="fr-header-tools">
          <UserMenu lang={lang} />
          <span className={`fr-live ${socketLive ? 'fr-live-on' : ''}`} data-testid="live-state">
            {socketLive ? t.live : t.offline}
          </span>
          <button type="button" className={`police-sound ${soundOn ? 'police-sound-on' : ''}`} data-testid="sound-toggle" aria-pressed={soundOn} onClick={() => void toggleSound()} title={soundWanted && !soundRunning ? t.soundBlocked : undefined}>
            {soundOn ? t.soundOn : t.soundOff}
          </button>
          <button type="button" className="fr-lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
            {t.switchLang}
          </button>
        </div>
      </header>
      <main className="police-main">
        <section className="police-queue" aria-label={t.title}>
          <Filters filters={filters} onChange={setFilters} cameras={cameras} t={t} lang={lang} />
          <div className="police-queue-bar">
            <span className="operator-count" data-testid="queue-count">
              {t.count(shown.length, total)}
            </span>
            <a className={`police-export ${exportable === 0 ? 'police-disabled' : ''}`} data-testid="export" href={policeApi.exportUrl(exportParams(filters))} download title={t.exportHint} aria-disabled={exportable === 0}>
              {t.exportButton(exportable)}
            </a>
          </div>
          <ErrorBox problem={listProblem} lang={lang} />
          <ol className="police-list">
            {shown.map((record) => (
              <li key={record.id}>
                <button
                  type="button"
                  className={`police-item police-item-${record.status}${record.id === selectedId ? ' selected' : ''}${fresh[record.id] ? ' police-fresh' : ''}`}
                  data-violation-id={record.id}
                  data-status={record.status}
                  onClick={() => setSelectedId(record.id)}
                >
                  <Thumb record={record} />
                  <span className="police-item-text">
                    <span className="police-item-top">
                      <strong>{ruleWords(record.rule, lang)}</strong>
                      {fresh[record.id] && <span className="police-new">{t.newAlert}</span>}
                      <span className={`fr-status police-status-${record.status}`}>{t.statuses[record.status]}</span>
                    </span>
                    <span className="police-plate-line">
                      {record.plateText ? <span className="police-plate">{record.plateText}</span> : <span className="police-no-plate">{t.fields.plate}: {t.fields.noPlate}</span>}
                      <span className="fr-muted">
                        {t.fields.confidence} {percent(record.confidence)}
                      </span>
                    </span>
                    <span className="fr-muted police-item-meta">
                      {time(record.occurredAt)} · {record.cameraId}
                    </span>
                  </span>
                </button>
              </li>
            ))}
          </ol>
          {records && shown.length === 0 && <div className="fr-empty">{t.empty}</div>}
          {!records && !listProblem && <div className="fr-empty">{t.loading}</div>}
        </section>
        <section className="police-detail" aria-live="polite">
          {!selectedId && <div className="fr-empty">{t.pickOne}</div>}
          {selectedId && !selected && records && <div className="fr-empty">{t.empty}</div>}
          {selected && <Detail key={selected.id} record={selected} trail={trail} t={t} lang={lang} onActed={onActed} onStale={() => void loadList()} />}
        </section>
      </main>
    </div>
  );
}

function Thumb({ record }: { record: ViolationRecord }) {
  const file = record.evidence.find((item) => item.kind === 'vehicleCrop') ?? record.evidence.find((item) => item.kind === 'frameAt');
  if (!file) return <span className="police-thumb police-thumb-empty" />;
  return <img className="police-thumb" src={policeApi.evidenceUrl(record.id, file.sha256)} alt="" loading="lazy" />;
}

function Filters({ filters, onChange, cameras, t, lang }: { filters: PoliceFilters; onChange: (filters: PoliceFilters) => void; cameras: string[]; t: PoliceStrings; lang: Lang }) {
  const set = (patch: Partial<PoliceFilters>) => onChange({ ...filters, ...patch });
  const cameraOptions = filters.cameraId && !cameras.includes(filters.cameraId) ? [filters.cameraId, ...cameras] : cameras;
  return (
    <div className="operator-filters police-filters">
      <label>
        {t.filters.rule}
        <select name="rule" value={filters.rule} onChange={(event) => set({ rule: event.target.value as PoliceFilters['rule'] })}>
          <option value="">{t.filters.all}</option>
          {violationRuleSchema.options.map((rule) => (
            <option key={rule} value={rule}>
              {ruleWords(rule, lang)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.filters.status}
        <select name="status" value={filters.status} onChange={(event) => set({ status: event.target.value as PoliceFilters['status'] })}>
          <option value="">{t.filters.all}</option>
          {(['new', 'confirmed', 'dispatched', 'rejected'] as const).map((status) => (
            <option key={status} value={status}>
              {t.statuses[status]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.filters.camera}
        <select name="cameraId" value={filters.cameraId} onChange={(event) => set({ cameraId: event.target.value })}>
          <option value="">{t.filters.all}</option>
          {cameraOptions.map((camera) => (
            <option key={camera} value={camera}>
              {camera}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.filters.from}
        <input type="date" name="fromDate" value={filters.fromDate} onChange={(event) => set({ fromDate: event.target.value })} />
      </label>
      <label>
        {t.filters.to}
        <input type="date" name="toDate" value={filters.toDate} onChange={(event) => set({ toDate: event.target.value })} />
      </label>
      <button type="button" onClick={() => onChange(EMPTY_POLICE_FILTERS)}>
        {t.filters.clear}
      </button>
    </div>
  );
}

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="fr-field">
      <div className="fr-field-label">{label}</div>
      <div className="fr-field-value" data-testid={testId}>
        {children}
      </div>
    </div>
  );
}

const STILLS = ['frameBefore', 'frameAt', 'frameAfter'] as const;
const CROPS = ['vehicleCrop', 'plateCrop'] as const;

interface DetailProps {
  record: ViolationRecord;
  trail: ViolationActionEntry[] | undefined;
  t: PoliceStrings;
  lang: Lang;
  onActed: (violation: ViolationRecord) => void;
  onStale: () => void;
}

function Detail({ record, trail, t, lang, onActed, onStale }: DetailProps) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>();
  const [rejecting, setRejecting] = useState(false);
  const [reasonCode, setReasonCode] = useState<RejectReason | ''>('');
  const [note, setNote] = useState('');
  const point = record.location ? { longitude: record.location.coordinates[0], latitude: record.location.coordinates[1] } : null;
  const fileOf = (kind: string) => record.evidence.find((item) => item.kind === kind);
  const clip = fileOf('clip');
  const open = actionsFrom(record.status);

  const act = async (action: PoliceAction) => {
    if (action === 'reject') {
      if (!reasonCode) return setProblem({ httpStatus: 0, code: 'FORM', detail: t.reject.needReason });
      if (reasonCode === 'other' && note.trim().length < 3) return setProblem({ httpStatus: 0, code: 'FORM', detail: t.reject.needNote });
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const body = await policeApi.act(record.id, {
        action,
        expectedStatus: record.status,
        ...(action === 'reject' ? { reasonCode: reasonCode as RejectReason } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setRejecting(false);
      setNote('');
      onActed(body.violation);
    } catch (error) {
      const next = problemOf(error);
      // Someone else moved the case first: say so and reload it.
      if (next.code === 'IOC_ERR_INVALID_TRANSITION') {
        setProblem({ httpStatus: 409, code: 'FORM', detail: t.stale });
        onStale();
      } else setProblem(next);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="police-case" data-testid="case" data-violation-id={record.id} data-status={record.status}>
      <h2>
        {ruleWords(record.rule, lang)} <span className={`fr-status police-status-${record.status}`}>{t.statuses[record.status]}</span>
      </h2>
      <div className="police-stills">
        {STILLS.map((kind) => {
          const file = fileOf(kind);
          return (
            <figure key={kind} className="police-still">
              {file ? <img src={policeApi.evidenceUrl(record.id, file.sha256)} alt={t.evidence[kind]} data-kind={kind} /> : <div className="police-missing">—</div>}
              <figcaption>{t.evidence[kind]}</figcaption>
            </figure>
          );
        })}
      </div>
      <div className="police-row">
        <div className="police-crops">
          {CROPS.map((kind) => {
            const file = fileOf(kind);
            return (
              <figure key={kind} className={`police-crop police-crop-${kind}`}>
                {file ? <img src={policeApi.evidenceUrl(record.id, file.sha256)} alt={t.evidence[kind]} data-kind={kind} /> : <div className="police-missing">—</div>}
                <figcaption>{t.evidence[kind]}</figcaption>
              </figure>
            );
          })}
          {clip && (
            <figure className="police-crop police-clip">
              <video src={policeApi.evidenceUrl(record.id, clip.sha256)} controls muted preload="none" />
              <figcaption>{t.evidence.clip}</figcaption>
            </figure>
          )}
        </div>
        <div className="police-facts">
          <Field label={t.fields.plate} testId="plate">
            {record.plateText ? (
              <a className="police-plate police-plate-link" href={traceHref(record.plateText, record.occurredAt)} title={t.fields.trace}>
                {record.plateText}
              </a>
            ) : (
              <span className="fr-muted">{t.fields.noPlate}</span>
            )}
            {record.plateText && <span className="fr-muted"> · {percent(record.plateConfidence)}</span>}
          </Field>
          <Field label={t.fields.time} testId="time">
            {time(record.occurredAt)}
          </Field>
          <Field label={t.fields.confidence}>{percent(record.confidence)}</Field>
          <Field label={t.fields.camera}>
            {record.cameraId}
            {record.districtCode && <span className="fr-muted"> · {t.fields.district} {record.districtCode}</span>}
          </Field>
          <Field label={t.fields.vehicle}>
            {record.vehicleClass}
            {record.speedKmh !== null && ` · ${t.fields.speed} ${Math.round(record.speedKmh)} km/h`}
          </Field>
        </div>
        <div className="police-map">
          <PlaceMap point={point} label={t.fields.place} zoom={16} />
        </div>
      </div>
      <ErrorBox problem={problem} lang={lang} />
      <div className="police-actions">
        {open.length === 0 && <span className="fr-muted">{t.noActions}</span>}
        {open.includes('confirm') && (
          <button type="button" className="police-confirm" disabled={busy} onClick={() => void act('confirm')}>
            {t.actionButtons.confirm}
          </button>
        )}
        {open.includes('dispatch') && (
          <button type="button" className="police-dispatch" disabled={busy} onClick={() => void act('dispatch')}>
            {t.actionButtons.dispatch}
          </button>
        )}
        {open.includes('reject') && !rejecting && (
          <button type="button" className="police-reject" disabled={busy} onClick={() => setRejecting(true)}>
            {t.actionButtons.reject}
          </button>
        )}
      </div>
      {rejecting && open.includes('reject') && (
        <form
          className="police-reject-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act('reject');
          }}
        >
          <label>
            {t.reject.reason}
            <select name="reasonCode" value={reasonCode} onChange={(event) => setReasonCode(event.target.value as RejectReason | '')}>
              <option value="">{t.reject.pick}</option>
              {rejectReasonSchema.options.map((reason) => (
                <option key={reason} value={reason}>
                  {t.reasons[reason]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t.reject.note}
            <input name="note" value={note} maxLength={500} placeholder={t.reject.notePlaceholder} onChange={(event) => setNote(event.target.value)} />
          </label>
          <div className="police-actions">
            <button type="submit" className="police-reject" disabled={busy}>
              {t.reject.submit}
            </button>
            <button type="button" onClick={() => setRejecting(false)}>
              {t.reject.cancel}
            </button>
          </div>
        </form>
      )}
      <h3>{t.trail.title}</h3>
      {trail && trail.length === 0 && <p className="fr-muted police-trail-empty">{t.trail.empty}</p>}
      <ol className="police-trail" data-testid="trail">
        {trail?.map((entry) => (
          <li key={entry.id} data-action={entry.action}>
            <span className="police-trail-time">{time(entry.at)}</span> <strong>{t.actionNames[entry.action]}</strong>
            {entry.reasonCode && ` — ${t.reasons[entry.reasonCode]}`}
            {entry.note && ` — “${entry.note}”`}
            {entry.exportId && ` (${t.trail.exportOf(entry.exportId)})`} <span className="fr-muted">
              {t.trail.by} {entry.officer.displayName || entry.officer.username || t.trail.unknownOfficer}
              {entry.officer.unit && ` · ${entry.officer.unit}`}
            </span>
          </li>
        ))}
      </ol>
    </article>
  );
}
