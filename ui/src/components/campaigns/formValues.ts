// The campaign editor's text fields read as the core's numbers, and back: blank is "no rule"
// (null); anything else that is not a number throws with the field's label, which the editor
// shows. The audience's balance range and an offer's rules share these, so both convert alike.

export const text = (n: number | null | undefined) => (n === null || n === undefined ? "" : String(n));

/** Minor units (cents) as the major-unit text the fields show ("5000", "5000.5"). */
export const major = (minor: number | null | undefined) => (minor === null || minor === undefined ? "" : String(minor / 100));

/** A whole number from a field, null when blank; throws with the field's label otherwise. */
export function whole(value: string, label: string): number | null {
  const t = value.trim();
  if (t === "") return null;
  if (!/^-?\d+$/.test(t)) throw new Error(`${label}: "${t}" is not a whole number`);
  return Number(t);
}

/** An amount in major units (e.g. 5000 or 5000.50) as minor units (cents). */
export function minor(value: string, label: string): number | null {
  const t = value.trim().replaceAll(",", "");
  if (t === "") return null;
  if (!/^\d+(\.\d{1,2})?$/.test(t)) throw new Error(`${label}: "${value.trim()}" is not an amount`);
  return Math.round(Number(t) * 100);
}
