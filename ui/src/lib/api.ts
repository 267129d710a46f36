// Typed calls into the Tauri shell (src-tauri/src/commands). Argument names are camelCase here;
// Tauri maps them to the Rust commands' snake_case parameters. Every failure arrives as an
// ApiError with the shell's `kind` (see bindings/CommandError.ts).
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CommandError } from "./bindings/CommandError";
import type { CustomerPage } from "./bindings/CustomerPage";
import type { CustomerSort } from "./bindings/CustomerSort";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { DatabaseStatus } from "./bindings/DatabaseStatus";
import type { InvoiceRow } from "./bindings/InvoiceRow";
import type { ImportFile } from "./bindings/ImportFile";
import type { ImportProgressEvent } from "./bindings/ImportProgressEvent";
import type { ImportReport } from "./bindings/ImportReport";
import type { ImportRequest } from "./bindings/ImportRequest";

export type ErrorKind = CommandError["kind"] | "unexpected";

export class ApiError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
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
  if (isCommandError(error)) return new ApiError(error.kind, error.message);
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
  offset: number;
  limit: number;
}

export const api = {
  databaseStatus: () => call<DatabaseStatus>("database_status"),
  openDemo: () => call<DatabaseStatus>("open_demo"),
  /** null when the person cancelled the dialog. */
  createDatabase: () => call<DatabaseStatus | null>("create_database"),
  /** null when the person cancelled the dialog. */
  openDatabase: () => call<DatabaseStatus | null>("open_database"),
  listCustomers: (args: CustomerListArgs) => call<CustomerPage>("list_customers", { ...args }),
  customerDetail: (customerId: number) => call<CustomerDetail>("customer_detail", { customerId }),
  markListPainted: (uiMs: number) => call<null>("mark_list_painted", { uiMs }),
  /** "Import…": the native file dialog; null when the person cancelled. */
  chooseImportFile: () => call<ImportFile | null>("choose_import_file"),
  /** A dry run: what importing the file would do; nothing is written. */
  previewImport: (request: ImportRequest) => call<ImportReport>("preview_import", { request }),
  runImport: (request: ImportRequest) => call<ImportReport>("run_import", { request }),
  /** Progress of the running preview or import (the shell sends at most ~20 a second). */
  onImportProgress: (handler: (event: ImportProgressEvent) => void): Promise<UnlistenFn> =>
    listen<ImportProgressEvent>("import-progress", (event) => handler(event.payload)),
};

export type { CommandError, CustomerDetail, CustomerPage, CustomerSort, DatabaseStatus, InvoiceRow };
export type { ImportFile, ImportProgressEvent, ImportReport, ImportRequest };
export type { CustomerRow } from "./bindings/CustomerRow";
export type { DetectedFormat } from "./bindings/DetectedFormat";
export type { ImportFormat } from "./bindings/ImportFormat";
export type { ImportStage } from "./bindings/ImportStage";
export type { InvoiceChange } from "./bindings/InvoiceChange";
export type { RowIssue } from "./bindings/RowIssue";
export type { Balance } from "./bindings/Balance";
export type { Contact } from "./bindings/Contact";
export type { Note } from "./bindings/Note";
