// Words for the import dialog: layouts, issues and counts as a person reads them.
import type { ColumnMapping, DetectedFormat, Field, ImportReport, RowIssue } from "./api";
import { formatCount } from "./format";

const formats: Record<DetectedFormat, string> = {
  generic: "Generic CSV",
  quickbooks_report: "QuickBooks Online open invoices report",
  quickbooks_contacts: "QuickBooks Online customer contact list",
  xero: "Xero invoice export",
  netsuite: "NetSuite A/R aging or open invoices export",
  sage_intacct: "Sage Intacct invoice list or AR aging report",
};

export function describeFormat(format: DetectedFormat): string {
  return formats[format] ?? format;
}

/** "line 12: due date … is before …" (the CLI prints the same). */
export function describeIssue(issue: RowIssue): string {
  return issue.line == null ? issue.message : `line ${issue.line}: ${issue.message}`;
}

/** "1 row" / "12 rows". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** How many writes the import makes; 0 means importing would change nothing. */
export function changeCount(report: ImportReport): number {
  return (
    report.customers_created +
    report.invoices_created +
    report.invoices_updated +
    report.invoices_closed +
    report.contacts_added +
    report.contacts_updated +
    report.payments_recorded
  );
}

/** True when the file had rows and every one was rejected (the CLI then exits non-zero). */
export function nothingImportable(report: ImportReport): boolean {
  return (
    report.rows_rejected > 0 &&
    report.invoices_created + report.invoices_updated + report.invoices_unchanged === 0 &&
    report.contacts_added + report.contacts_updated + report.customers_created === 0 &&
    report.rows_skipped === 0
  );
}

/** The Duebook fields a column can give, in the order the mapping step offers them. */
export const fieldLabels: Record<Field, string> = {
  customer_name: "Customer name",
  invoice_number: "Invoice number",
  issue_date: "Issue date",
  amount: "Amount",
  due_date: "Due date",
  amount_due: "Amount due",
  amount_paid: "Amount paid",
  paid_date: "Paid date",
  currency: "Currency",
  email: "Email",
  phone: "Phone",
  account_owner: "Account owner",
  credit_limit: "Credit limit",
};

/** A file without one of these cannot be imported (the core's `Field::required`). */
const REQUIRED: Field[] = ["customer_name", "invoice_number", "issue_date", "amount"];

/** The required fields `mapping` gives no column, as labels. */
export function missingFields(mapping: ColumnMapping): string[] {
  return REQUIRED.filter((field) => !mapping.columns[field]).map((field) => fieldLabels[field]);
}
