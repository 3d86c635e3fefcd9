import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, GaugeChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { HookRegistry } from '../hooks';
import { THEME } from '../theme';

echarts.use([BarChart, GaugeChart, LineChart, PieChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export { echarts };

/** Text style for charts at the wall's scale (px at 1080p × scale). */
export function chartText(scale: number, sizePixels = 18, color: string = THEME.text) {
  return { color, fontFamily: 'Be Vietnam Pro, sans-serif', fontSize: Math.round(sizePixels * scale), fontWeight: 600 as const };
}

interface EChartProps {
  name: string;
  /** Axes, styling, series definitions: applied whole when `frameKey` changes. */
  frame: () => Record<string, unknown>;
  frameKey: string;
  /** The data part, merged by series id on every change (ECharts diffs it; the chart is never rebuilt). */
  data: Record<string, unknown>;
  registry: HookRegistry;
}

/** One ECharts instance for the component's life; resizes with its box; tells the registry when it has drawn. */
export function EChart({ name, frame, frameKey, data, registry }: EChartProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const frameKeyRef = useRef('');

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = echarts.init(container, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    registry.chartMounted(name);
    chart.on('finished', () => registry.chartDrawn(name));
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      registry.chartUnmounted(name);
      chart.dispose();
      chartRef.current = null;
      frameKeyRef.current = '';
    };
  }, [name, registry]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    if (frameKeyRef.current !== frameKey) {
      frameKeyRef.current = frameKey;
      chart.setOption(frame(), { notMerge: true });
    }
    chart.setOption(data);
  });

  return <div ref={containerRef} className="chart" data-chart={name} />;
}
