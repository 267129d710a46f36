// uPlot options for a ChartModel. uPlot draws on a canvas and styles its few elements through
// the CSSOM, which the app's Content-Security-Policy (style-src 'self', no eval) allows; its
// stylesheet is bundled by Vite. Colours come from the theme's CSS variables (--chart-1..5,
// --text, --border), read again whenever the theme changes.
import type uPlot from "uplot";
import { locales } from "../../lib/format";
import { formatCategory, type ChartModel } from "./chartModel";

export const PALETTE_SIZE = 5;

export type ChartLibrary = typeof uPlot;
let library: Promise<ChartLibrary> | null = null;

/** uPlot, loaded when the first chart is shown (the rest of the app starts without it). uPlot
 * builds an Intl.NumberFormat from navigator.language as it loads, which throws where WebKitGTK
 * reports the POSIX locale "C": such a tag is replaced by the first usable locale first. */
export function loadChartLibrary(): Promise<ChartLibrary> {
  if (!library) {
    try {
      new Intl.NumberFormat(navigator.language);
    } catch {
      Object.defineProperty(navigator, "language", { value: locales[0], configurable: true });
    }
    library = import("uplot").then((m) => m.default);
  }
  return library;
}

interface Colours {
  text: string;
  grid: string;
  series: string[];
}

function themeColours(): Colours {
  const css = getComputedStyle(document.documentElement);
  const read = (name: string) => css.getPropertyValue(name).trim();
  return {
    text: read("--text"),
    grid: read("--border"),
    series: Array.from({ length: PALETTE_SIZE }, (_, i) => read(`--chart-${i + 1}`)),
  };
}

const compact = new Intl.NumberFormat(locales, { notation: "compact", maximumFractionDigits: 1 });
const monthYear = new Intl.DateTimeFormat(locales, { month: "short", year: "2-digit", timeZone: "UTC" });
/** Room an x-axis label needs, in CSS pixels. */
const LABEL_WIDTH = 60;

/** An x-axis label: a day as its month ("Mar 26"), a label its words before any bracket or
 * comma ("week 1 (2026-03-02 – …)" → "week 1"), the table having the whole. */
function axisLabel(category: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(category)) return monthYear.format(new Date(`${category}T00:00:00Z`));
  return formatCategory(category).split(/[(,]/)[0]?.trim() ?? category;
}

interface Drawn {
  label: string;
  /** Index into the palette: the series' place in the model, whatever the drawing order. */
  colour: number;
  values: (number | null)[];
}

/** The series in drawing order. Stacked charts draw each series as the running total up to
 * it, the top one first, so each bar's lower parts paint over the taller ones below them. */
function drawn(model: ChartModel): Drawn[] {
  if (model.kind !== "stacked") return model.series.map((s, i) => ({ label: s.label, colour: i, values: s.values }));
  const running = model.categories.map(() => 0);
  const stacked = model.series.map((s, i) => ({
    label: s.label,
    colour: i,
    values: s.values.map((v, at) => (running[at] = (running[at] ?? 0) + (v ?? 0))),
  }));
  return stacked.reverse();
}

export function plotData(model: ChartModel): uPlot.AlignedData {
  return [model.categories.map((_, i) => i), ...drawn(model).map((d) => d.values)];
}

export function plotOptions(lib: ChartLibrary, model: ChartModel, width: number, height: number): uPlot.Options {
  const colours = themeColours();
  const count = model.categories.length;
  // Where the labels would overlap only every k-th is written, counting back from the last.
  const every = Math.max(1, Math.ceil((count * LABEL_WIDTH) / Math.max(width - 80, 1)));
  const bars = model.kind === "lines" ? undefined : lib.paths.bars?.({ size: [0.6, 64] });
  const font = "12px system-ui, sans-serif";
  const axis = { stroke: colours.text, font, ticks: { stroke: colours.grid, width: 1 } };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { show: model.kind === "lines" } },
    scales: {
      x: { time: false, range: () => [-0.5, count - 0.5] },
      y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      {
        ...axis,
        grid: { show: false },
        splits: () => model.categories.map((_, i) => i),
        values: (_u, splits) =>
          splits.map((i) => ((count - 1 - i) % every === 0 ? axisLabel(model.categories[i] ?? "") : "")),
      },
      {
        ...axis,
        size: 64,
        grid: { stroke: colours.grid, width: 1 },
        values: (_u, splits) => splits.map((v) => compact.format(v)),
      },
    ],
    series: [
      {},
      ...drawn(model).map((d) => {
        const colour = colours.series[d.colour % PALETTE_SIZE];
        return {
          label: d.label,
          stroke: colour,
          fill: bars ? colour : undefined,
          width: bars ? 0 : 2,
          paths: bars,
          points: { show: !bars, size: 6, fill: colour },
        };
      }),
    ],
  };
}
