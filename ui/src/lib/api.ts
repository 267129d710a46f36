// Typed calls into the Tauri shell (src-tauri/src/commands). Argument names are camelCase here;
// Tauri maps them to the Rust commands' snake_case parameters. Every failure arrives as an
// ApiError with the shell's `kind` (see bindings/CommandError.ts) and, when a value the person
// typed was refused, the `field` the message belongs next to.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CommandError } from "./bindings/CommandError";
import type { Contact } from "./bindings/Contact";
import type { ContactInput } from "./bindings/ContactInput";
import type { Customer } from "./bindings/Customer";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { CustomerEdit } from "./bindings/CustomerEdit";
import type { CustomerFilters } from "./bindings/CustomerFilters";
import type { CustomerListPage } from "./bindings/CustomerListPage";
import type { CustomerSort } from "./bindings/CustomerSort";
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { ExportResult } from "./bindings/ExportResult";
import type { ImportFile } from "./bindings/ImportFile";
import type { ImportProgressEvent } from "./bindings/ImportProgressEvent";
import type { ImportReport } from "./bindings/ImportReport";
import type { ImportRequest } from "./bindings/ImportRequest";
import type { InvoiceRow } from "./bindings/InvoiceRow";
import type { ListFacets } from "./bindings/ListFacets";
import type { ListView } from "./bindings/ListView";
import type { Note } from "./bindings/Note";
import type { PaymentForm } from "./bindings/PaymentForm";
import type { PromiseForm } from "./bindings/PromiseForm";
import type { TaskForm } from "./bindings/TaskForm";
import type { Theme } from "./bindings/Theme";
import type { TimelineEntry } from "./bindings/TimelineEntry";
import type { TimelineKind } from "./bindings/TimelineKind";

export type ErrorKind = CommandError["kind"] | "unexpected";

export class ApiError extends Error {
  readonly kind: ErrorKind;
  /** The input the message belongs next to (a refused value), if any. */
  readonly field: string | null;
  constructor(kind: ErrorKind, message: string, field: string | null = null) {
    super(message);
    this.kind = kind;
    this.field = field;
    this.name = "ApiError";
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isCommandError(error)) return new ApiError(error.kind, error.message, error.field ?? null);
  return new ApiError("unexpected", error instanceof Error ? error.message : String(error));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export interface CustomerListArgs {
  search: string | null;
  sort?: CustomerSort;
  filters?: CustomerFilters;
  offset: number;
  limit: number;
}

export interface ExportListArgs {
  search: string | null;
  sort: CustomerSort;
  filters: CustomerFilters;
}

export const api = {
  databaseStatus: () => call<DatabaseStatus>("database_status"),
  openDemo: () => call<DatabaseStatus>("open_demo"),
  /** null when the person cancelled the dialog. */
  createDatabase: () => call<DatabaseStatus | null>("create_database"),
  /** null when the person cancelled the dialog. */
  openDatabase: () => call<DatabaseStatus | null>("open_database"),
  listCustomers: (args: CustomerListArgs) => call<CustomerListPage>("list_customers", { ...args }),
  listFacets: () => call<ListFacets>("list_facets"),
  customerDetail: (customerId: number) => call<CustomerDetail>("customer_detail", { customerId }),
  editCustomer: (customerId: number, edit: CustomerEdit) => call<Customer>("edit_customer", { customerId, edit }),
  addContact: (customerId: number, contact: ContactInput) => call<Contact>("add_contact", { customerId, contact }),
  updateContact: (contactId: number, contact: ContactInput) => call<Contact>("update_contact", { contactId, contact }),
  deleteContact: (contactId: number) => call<null>("delete_contact", { contactId }),
  addNote: (customerId: number, body: string) => call<Note>("add_note", { customerId, body }),
  editNote: (noteId: number, body: string) => call<Note>("edit_note", { noteId, body }),
  setNotePinned: (noteId: number, pinned: boolean) => call<Note>("set_note_pinned", { noteId, pinned }),
  deleteNote: (noteId: number) => call<null>("delete_note", { noteId }),
  addTask: (task: TaskForm) => call<number>("add_task", { task }),
  completeTask: (taskId: number, outcome: string) => call<null>("complete_task", { taskId, outcome }),
  recordPayment: (payment: PaymentForm) => call<number>("record_payment", { payment }),
  addPromise: (promise: PromiseForm) => call<number>("add_promise", { promise }),
  openDispute: (invoiceId: number, reason: string) => call<number>("open_dispute", { invoiceId, reason }),
  resolveDispute: (disputeId: number, resolution: string) => call<null>("resolve_dispute", { disputeId, resolution }),
  customerTimeline: (customerId: number, kinds: TimelineKind[], limit: number) =>
    call<TimelineEntry[]>("customer_timeline", { customerId, kinds, limit }),
  /** "Export CSV" of the list as filtered; null when the person cancelled the save dialog. */
  exportCustomers: (args: ExportListArgs) => call<ExportResult | null>("export_customers", { ...args }),
  exportInvoices: (customerId: number) => call<ExportResult | null>("export_invoices", { customerId }),
  getTheme: () => call<Theme>("get_theme"),
  setTheme: (theme: Theme) => call<null>("set_theme", { theme }),
  getListView: () => call<ListView>("get_list_view"),
  setListView: (view: ListView) => call<null>("set_list_view", { view }),
  markListPainted: (uiMs: number) => call<null>("mark_list_painted", { uiMs }),
  /** "Import…": the native file dialog; null when the person cancelled. */
  chooseImportFile: () => call<ImportFile | null>("choose_import_file"),
  /** A dry run: what importing the file would do; nothing is written. */
  previewImport: (request: ImportRequest) => call<ImportReport>("preview_import", { request }),
  runImport: (request: ImportRequest) => call<ImportReport>("run_import", { request }),
  /** Progress of the running preview or import (the shell sends at most ~20 a second). */
  onImportProgress: (handler: (event: ImportProgressEvent) => void): Promise<UnlistenFn> =>
    listen<ImportProgressEvent>("import-progress", (event) => handler(event.payload)),
  /** Another program (the CLI importing, a scheduled run) changed the open database. */
  onDatabaseChanged: (handler: () => void): Promise<UnlistenFn> => listen("db-changed", () => handler()),
};

export type { CommandError, CustomerDetail, CustomerSort, DatabaseStatus, InvoiceRow };
export type { ImportFile, ImportProgressEvent, ImportReport, ImportRequest };
export type { Contact, ContactInput, Customer, CustomerEdit, CustomerFilters, CustomerListPage };
export type { ExportResult, ListFacets, ListView, Note, Theme, TimelineEntry, TimelineKind };
export type { AgingBucket } from "./bindings/AgingBucket";
export type { Balance } from "./bindings/Balance";
export type { Channel } from "./bindings/Channel";
export type { CustomerRow } from "./bindings/CustomerRow";
export type { DetectedFormat } from "./bindings/DetectedFormat";
export type { Dispute } from "./bindings/Dispute";
export type { ImportFormat } from "./bindings/ImportFormat";
export type { ImportStage } from "./bindings/ImportStage";
export type { InvoiceChange } from "./bindings/InvoiceChange";
export type { MatchField } from "./bindings/MatchField";
export type { Promise as PromiseRecord } from "./bindings/Promise";
export type { PromiseStatus } from "./bindings/PromiseStatus";
export type { RowIssue } from "./bindings/RowIssue";
export type { SearchMatch } from "./bindings/SearchMatch";
export type { Task } from "./bindings/Task";
export type { TaskKind } from "./bindings/TaskKind";
