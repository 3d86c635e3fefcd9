import type { HookRegistry } from '../hooks';
import { formatNumber, formatTime, strings, type Lang } from '../i18n';
import { panelStatus, type FeedState } from '../state/feeds';
import { hourlyByDay, type CameraInfo, type TrafficTally } from '../state/traffic';
import type { ViolationLog } from '../state/violations';
import { VIOLATION_RULES } from '../state/violations';
import { THEME } from '../theme';
import { EChart, chartText } from './EChart';
import { Panel } from './Panel';

/** Series colours that read on the dark panel and apart from each other. */
const TODAY_COLOR = '#7cb5fb';
const YESTERDAY_COLOR = '#64748b';
const MIX_PALETTE = ['#7cb5fb', '#fcd34d', '#4ade80', '#f9a8d4', '#c4b5fd', '#fdba74', '#94a3b8'];

interface TrafficProps {
  lang: Lang;
  scale: number;
  registry: HookRegistry;
  nowMs: number;
}

/** Vehicles per hour today against yesterday, from the cameras' counting lines. */
export function TrafficVolume({ tally, cameras, lang, scale, registry, nowMs }: TrafficProps & { tally: TrafficTally; cameras: FeedState<CameraInfo[]> }) {
  const t = strings(lang);
  const days = hourlyByDay(tally, nowMs);
  const hasData = days.today.some((value) => value !== undefined) || days.yesterday.some((value) => value !== undefined);
  const status = cameras.absent ? 'empty' : panelStatus({ hasData, lastDataAtMs: cameras.lastOkAtMs }, nowMs, 30_000);
  const hours = Array.from({ length: 24 }, (_unused, hour) => String(hour).padStart(2, '0'));
  return (
    <Panel id="trafficVolume" lang={lang} status={status} lastDataAtMs={cameras.lastOkAtMs} note={tally.countingSinceMs ? t.countingSince(formatTime(tally.countingSinceMs)) : undefined}>
      <EChart
        name="trafficVolume"
        registry={registry}
        frameKey={`${lang}|${scale}`}
        frame={() => ({
          animation: false,
          textStyle: chartText(scale),
          grid: { left: 8 * scale, right: 16 * scale, top: 36 * scale, bottom: 8 * scale, containLabel: true },
          legend: { top: 0, right: 0, textStyle: chartText(scale, 17), itemWidth: 22 * scale, itemHeight: 12 * scale, data: [t.today, t.yesterday] },
          xAxis: { type: 'category', data: hours, axisLabel: { ...chartText(scale, 15, THEME.muted), interval: 2 }, axisLine: { lineStyle: { color: THEME.edge } } },
          yAxis: { type: 'value', axisLabel: { ...chartText(scale, 15, THEME.muted), formatter: (value: number) => formatNumber(value, lang, 0) }, splitLine: { lineStyle: { color: '#1a2740' } } },
          series: [
            { id: 'yesterday', name: t.yesterday, type: 'bar', itemStyle: { color: YESTERDAY_COLOR }, barGap: '10%' },
            { id: 'today', name: t.today, type: 'bar', itemStyle: { color: TODAY_COLOR } },
          ],
        })}
        data={{ series: [{ id: 'yesterday', data: days.yesterday.map((value) => value ?? 0) }, { id: 'today', data: days.today.map((value) => value ?? 0) }] }}
      />
    </Panel>
  );
}

/** Share of each vehicle class counted since the wall started. */
export function VehicleMix({ tally, cameras, lang, scale, registry, nowMs }: TrafficProps & { tally: TrafficTally; cameras: FeedState<CameraInfo[]> }) {
  const t = strings(lang);
  const entries = Object.entries(tally.mix).filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]);
  const status = cameras.absent ? 'empty' : panelStatus({ hasData: entries.length > 0, lastDataAtMs: cameras.lastOkAtMs }, nowMs, 30_000);
  return (
    <Panel id="vehicleMix" lang={lang} status={status} lastDataAtMs={cameras.lastOkAtMs}>
      <EChart
        name="vehicleMix"
        registry={registry}
        frameKey={`${lang}|${scale}`}
        frame={() => ({
          animation: false,
          color: MIX_PALETTE,
          legend: { orient: 'vertical', right: 0, top: 'middle', textStyle: chartText(scale, 18), itemWidth: 18 * scale, itemHeight: 18 * scale, itemGap: 12 * scale },
          series: [{ id: 'mix', type: 'pie', radius: ['45%', '80%'], center: ['30%', '50%'], label: { show: false }, itemStyle: { borderColor: THEME.panel, borderWidth: 2 * scale } }],
        })}
        data={{
          legend: { formatter: (name: string) => { const total = entries.reduce((sum, [, count]) => sum + count, 0); const entry = entries.find(([type]) => (t.vehicleTypes[type] ?? type) === name); return entry ? `${name}  ${formatNumber((100 * entry[1]) / Math.max(1, total), lang, 0)} %` : name; } },
          series: [{ id: 'mix', data: entries.map(([type, count]) => ({ name: t.vehicleTypes[type] ?? type, value: count })) }],
        }}
      />
    </Panel>
  );
}

/** Today's violations per rule, from the live alerts (category traffic). */
export function ViolationsByRule({ log, lang, scale, registry, nowMs, lastDataAtMs, staleAfterMs }: TrafficProps & { log: ViolationLog; lastDataAtMs: number | undefined; staleAfterMs: number }) {
  const t = strings(lang);
  const rules = [...VIOLATION_RULES].reverse();
  const total = rules.reduce((sum, rule) => sum + (log.byRule[rule] ?? 0), 0);
  const status = panelStatus({ hasData: total > 0, lastDataAtMs }, nowMs, staleAfterMs);
  return (
    <Panel id="violationsByRule" lang={lang} status={status} lastDataAtMs={lastDataAtMs}>
      <EChart
        name="violationsByRule"
        registry={registry}
        frameKey={`${lang}|${scale}`}
        frame={() => ({
          animation: false,
          grid: { left: 8 * scale, right: 56 * scale, top: 4 * scale, bottom: 4 * scale, containLabel: true },
          xAxis: { type: 'value', show: false },
          yAxis: { type: 'category', data: rules.map((rule) => t.rules[rule] ?? rule), axisLabel: chartText(scale, 18), axisLine: { show: false }, axisTick: { show: false } },
          series: [{ id: 'rules', type: 'bar', itemStyle: { color: '#fca5a5', borderRadius: 4 * scale }, barWidth: '60%', label: { show: true, position: 'right', ...chartText(scale, 18), formatter: (parameters: { value: number }) => formatNumber(parameters.value, lang, 0) } }],
        })}
        data={{ series: [{ id: 'rules', data: rules.map((rule) => log.byRule[rule] ?? 0) }] }}
      />
    </Panel>
  );
}
