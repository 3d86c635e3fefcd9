import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import { formatTime, strings, type Lang } from '../i18n';
import type { PanelId } from '../scenes';
import type { PanelStatus } from '../state/feeds';

interface PanelProps {
  id: PanelId;
  lang: Lang;
  status: PanelStatus;
  /** When the panel's data last arrived (for the stale badge). */
  lastDataAtMs?: number | undefined;
  title?: ReactNode;
  /** A short line under the title (units, period). */
  note?: ReactNode;
  children?: ReactNode;
}

/**
 * Every panel: a title, a stale badge when its data stopped arriving, and either its content or an explicit
 * empty state ("Chưa có dữ liệu") — never a blank box. `data-panel` and `data-status` are what the screen test
 * reads.
 */
export function Panel({ id, lang, status, lastDataAtMs, title, note, children }: PanelProps) {
  const t = strings(lang);
  const showContent = status === 'data' || status === 'stale';
  return (
    <section className={`panel panel-${id}`} data-panel={id} data-status={status}>
      <header className="panel-head">
        <h2 className="panel-title">{title ?? t.panels[id]}</h2>
        {status === 'stale' ? (
          <span className="stale-badge" role="status">
            {lastDataAtMs === undefined ? t.stale : t.staleSince(formatTime(lastDataAtMs))}
          </span>
        ) : null}
      </header>
      {note && showContent ? <p className="panel-note">{note}</p> : null}
      {showContent ? (
        <div className="panel-body">{children}</div>
      ) : (
        <div className="empty-state" data-empty="true">
          {status === 'loading' ? t.loading : t.noDataYet}
        </div>
      )}
    </section>
  );
}

/**
 * Shows as many children as fit in the container: the first child that would overflow it (down or to the
 * right) and all after it are hidden rather than clipped — a wall has no scrolling, and half a line of text is
 * worse than none.
 */
export function useFitChildren(ref: RefObject<HTMLElement | null>, version: unknown): void {
  useLayoutEffect(() => {
    const container = ref.current;
    if (!container) return;
    const fit = () => {
      const items = [...container.children] as HTMLElement[];
      for (const item of items) item.hidden = false;
      const box = container.getBoundingClientRect();
      let hiding = false;
      for (const item of items) {
        const rect = item.getBoundingClientRect();
        hiding ||= rect.bottom > box.bottom + 0.5 || rect.right > box.right + 0.5;
        item.hidden = hiding;
      }
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(container);
    return () => observer.disconnect();
  }, [ref, version]);
}

export function FitList({ className, children, version }: { className: string; children: ReactNode; version: unknown }) {
  const listRef = useRef<HTMLUListElement>(null);
  useFitChildren(listRef, version);
  return (
    <ul ref={listRef} className={`fit-list ${className}`}>
      {children}
    </ul>
  );
}
