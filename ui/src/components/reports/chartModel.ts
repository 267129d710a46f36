// What a report chart shows, once: the chart draws `values`, the table view and its CSV show
// `cells` (exact decimal strings for money, two decimals for days and percentages), so the
// picture, the table and the file always carry the same numbers.
import type { ShownTable } from "../../lib/api";
import { formatDate, formatMoney, locales } from "../../lib/format";
import { minorToDecimal } from "../../lib/money";
import type { Unit } from "./kpiFigures";

export interface ChartSeries {
  label: string;
  /** What is drawn (major units for money); null leaves a gap. */
  values: (number | null)[];
  /** What the table shows and exports, one per category; "" where there is no figure. */
  cells: string[];
}

export interface ChartModel {
  title: string;
  /** The CSV file's name before ".csv" (made safe by the shell). */
  name: string;
  /** The heading of the category column ("Bucket", "Month end"). */
  categoryLabel: string;
  /** Bucket names or ISO dates (shown as dates), one per point on the x axis. */
  categories: string[];
  kind: "bars" | "lines" | "stacked";
  unit: Unit;
  /** The currency of money charts (one currency per chart: they are never mixed). */
  currency: string;
  series: ChartSeries[];
}

/** The chart's numbers as a table: one row per category, one column per series. */
export function tableOf(model: ChartModel): ShownTable {
  return {
    name: model.name,
    columns: [model.categoryLabel, ...model.series.map((s) => s.label)],
    rows: model.categories.map((category, i) => [category, ...model.series.map((s) => s.cells[i] ?? "")]),
  };
}

/** A series of money in minor units: drawn in major units, shown exactly. */
export function moneySeries(label: string, minors: number[], decimals: number): ChartSeries {
  return {
    label,
    values: minors.map((m) => m / 10 ** decimals),
    cells: minors.map((m) => minorToDecimal(m, decimals)),
  };
}

/** A series of days or percentages (already rounded to two decimals by the core). */
export function figureSeries(label: string, figures: (number | null)[]): ChartSeries {
  return {
    label,
    values: figures,
    cells: figures.map((f) => (f === null ? "" : f.toFixed(2))),
  };
}

const twoDecimals = new Intl.NumberFormat(locales, { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A cell (raw decimal string) as the person reads it. */
export function formatCell(unit: Unit, currency: string, raw: string): string {
  if (raw === "") return "—";
  if (unit === "money") return formatMoney(raw, currency);
  const text = twoDecimals.format(Number(raw));
  return unit === "percent" ? `${text} %` : `${text} days`;
}

/** A category: ISO dates as the locale writes them, bucket names as they are. */
export function formatCategory(category: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(category) ? formatDate(category) : category;
}
