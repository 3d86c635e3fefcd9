import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { SENSOR_PROPERTIES, type SensorProperty } from '@ioc/schemas';
import type { HookRegistry } from '../hooks';
import { formatDateTime, formatNumber, formatTime, propertyLabel, propertyUnit, strings, type Lang } from '../i18n';
import { cssColor, LEVEL_COLORS } from '../map/device-points';
import { devicesFor, seriesOf, type WallState } from '../state/wall-state';
import { panelStatus } from '../state/feeds';
import { THEME } from '../theme';
import { Panel } from './Panel';

echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

/** Distinct on a dark background and away from the level colours' meaning. */
const SERIES_PALETTE = ['#60a5fa', '#f472b6', '#2dd4bf', '#fbbf24', '#a78bfa', '#fb7185', '#4ade80', '#38bdf8', '#e879f9', '#facc15', '#94a3b8', '#f97316'];

interface TrendChartProps {
  state: WallState;
  property: SensorProperty;
  lang: Lang;
  registry: HookRegistry;
  scale: number;
  staleAfterMs: number;
  nowMs: number;
}

interface SeriesOption {
  id?: string;
  data?: unknown[];
}

/** Axes, grid and styling: set when the chart, property, language or scale changes; never on a data update. */
function frameOption(property: SensorProperty, lang: Lang, scale: number) {
  const fontSize = (base: number) => Math.round(base * scale);
  const unit = propertyUnit(property, lang);
  const text = { color: THEME.text, fontFamily: 'Be Vietnam Pro, sans-serif', fontSize: fontSize(17) };
  return {
    backgroundColor: 'transparent',
    animation: false,
    color: SERIES_PALETTE,
    textStyle: text,
    grid: { left: fontSize(12), right: fontSize(20), top: fontSize(40), bottom: fontSize(44), containLabel: true },
    legend: { type: 'scroll', bottom: 0, textStyle: text, pageTextStyle: text, pageIconColor: THEME.text, icon: 'roundRect', itemWidth: fontSize(22), itemHeight: fontSize(12) },
    tooltip: {
      trigger: 'axis',
      backgroundColor: '#0f1a2e',
      borderColor: '#2b3d5c',
      textStyle: { ...text, color: '#eef4ff' },
      valueFormatter: (value: unknown) => (typeof value === 'number' ? `${formatNumber(value, lang)} ${unit}` : '—'),
      axisPointer: { label: { formatter: (parameters: { value: unknown }) => formatDateTime(Number(parameters.value), { seconds: true }) } },
    },
    xAxis: {
      type: 'time',
      axisLabel: { ...text, formatter: (value: number) => formatTime(value), hideOverlap: true },
      axisLine: { lineStyle: { color: '#3a4a66' } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      name: unit,
      nameTextStyle: text,
      axisLabel: { ...text, formatter: (value: number) => formatNumber(value, lang) },
      splitLine: { lineStyle: { color: '#1f2b42' } },
      scale: false,
    },
  };
}

/** The limit line (level 2 starts where the national limit is exceeded for PM; "poor" for the rest). */
function limitMarkLine(property: SensorProperty) {
  const threshold = SENSOR_PROPERTIES[property].levelThresholds[1];
  return {
    silent: true,
    symbol: 'none',
    label: { show: false },
    lineStyle: { color: cssColor(LEVEL_COLORS[2] as [number, number, number, number]), type: 'dashed', width: 2 },
    data: [{ yAxis: threshold }],
  };
}

/**
 * One line per device for the selected property over the snapshot's history window. The series set is set
 * once (and again only when devices come or go); each update hands ECharts the new data arrays by series id.
 */
export function TrendChart({ state, property, lang, registry, scale, staleAfterMs, nowMs }: TrendChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const seriesKeyRef = useRef('');
  const t = strings(lang);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = echarts.init(container, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    registry.chartMounted('trend');
    chart.on('finished', () => registry.chartDrawn('trend'));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      registry.chart = undefined;
      registry.chartUnmounted('trend');
      chart.dispose();
      chartRef.current = null;
      seriesKeyRef.current = '';
    };
  }, [registry]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.setOption(frameOption(property, lang, scale), { replaceMerge: ['series'] });
    seriesKeyRef.current = '';
    registry.chart = {
      getChartPoints(deviceId: string, wanted: string): Array<[number, number]> {
        if (wanted !== property) return [];
        const series = (chart.getOption() as { series?: SeriesOption[] }).series ?? [];
        const found = series.find((item) => item.id === deviceId);
        return (found?.data ?? []).map((point) => {
          const pair = point as [unknown, unknown];
          return [Number(pair[0]), Number(pair[1])];
        });
      },
    };
  }, [property, lang, registry, scale]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const devices = devicesFor(state, property);
    const key = `${property}|${devices.map((live) => `${live.device.id}:${live.device.name}`).join('|')}`;
    if (key !== seriesKeyRef.current) {
      seriesKeyRef.current = key;
      chart.setOption(
        {
          series: devices.map((live, index) => ({
            id: live.device.id,
            name: live.device.name,
            type: 'line',
            showSymbol: false,
            sampling: 'lttb',
            lineStyle: { width: Math.round(2.5 * scale) },
            emphasis: { disabled: true },
            data: seriesOf(state, live.device.id, property) as unknown as number[][],
            ...(index === 0 ? { markLine: limitMarkLine(property) } : {}),
          })),
        },
        { replaceMerge: ['series'] },
      );
    } else {
      chart.setOption({ series: devices.map((live) => ({ id: live.device.id, data: seriesOf(state, live.device.id, property) as unknown as number[][] })) });
    }
    if (devices.length === 0) registry.chartDrawn('trend');
    // dataVersion stands for history changes.
  }, [state.dataVersion, property, lang, registry, scale]);

  // The chart stays mounted whatever the status (its instance is kept across data gaps); an overlay says why it is empty.
  const hasData = devicesFor(state, property).some((live) => seriesOf(state, live.device.id, property).length > 0);
  const status = panelStatus({ hasData, lastDataAtMs: state.lastMessageAtMs }, nowMs, staleAfterMs);
  return (
    <Panel id="trend" lang={lang} status={status === 'empty' ? 'data' : status} lastDataAtMs={state.lastMessageAtMs} title={t.chartTitle(propertyLabel(property, lang), state.historyMinutes)}>
      <div ref={containerRef} className="chart" data-chart="trend" />
      {hasData ? null : <div className="empty-state overlay">{t.noDataYet}</div>}
    </Panel>
  );
}
