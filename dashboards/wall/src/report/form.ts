/**
 * The citizen page's pure parts: which view a path asks for, and the Open311 fields a filled form becomes
 * (GeoReport v2 names). Checked here before sending so a person sees what is missing at once; the server
 * checks everything again. Tested in form.test.ts.
 */

export type ReportView = { kind: 'new' } | { kind: 'follow'; requestId: string };

/** Request ids as the API issues them (`YY-NNNNNNNN`), or any other id a GeoReport server might use. */
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** `/report` → the form; `/report/26-00000042` → follow that request. Anything unreadable shows the form. */
export function viewOfPath(pathname: string): ReportView {
  const match = /^\/report\/([^/]+)\/?$/.exec(pathname);
  if (!match) return { kind: 'new' };
  const requestId = decodeURIComponent(match[1] as string).trim();
  return REQUEST_ID.test(requestId) ? { kind: 'follow', requestId } : { kind: 'new' };
}

export function followPath(requestId: string): string {
  return `/report/${encodeURIComponent(requestId)}`;
}

export interface AttributeField {
  code: string;
  datatype: string;
  required: boolean;
}

export interface ReportFormValues {
  serviceCode: string;
  description: string;
  /** As typed (a decimal point or comma), or set by the map / the browser's position. */
  latitude: string;
  longitude: string;
  address: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  attributes: Record<string, string>;
  photo: { name: string; sizeBytes: number } | null;
}

export const EMPTY_FORM: ReportFormValues = { serviceCode: '', description: '', latitude: '', longitude: '', address: '', firstName: '', lastName: '', email: '', phone: '', attributes: {}, photo: null };

/** The API's own limit (`DEFAULT_MAX_PHOTO_BYTES`); said before uploading 20 MB over a phone link. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;

export type FormProblem = 'service' | 'location' | 'latitude' | 'longitude' | 'description' | 'email' | 'photoSize' | `attribute:${string}`;

/** "21,3861" (Vietnamese keyboards) and "21.3861" both read as 21.3861. */
export function parseCoordinate(text: string): number | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (!/^-?\d{1,3}(\.\d+)?$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

export function checkReportForm(values: ReportFormValues, attributes: readonly AttributeField[]): FormProblem[] {
  const problems: FormProblem[] = [];
  if (!values.serviceCode) problems.push('service');
  const hasLatitude = values.latitude.trim() !== '';
  const hasLongitude = values.longitude.trim() !== '';
  if (hasLatitude || hasLongitude) {
    const latitude = parseCoordinate(values.latitude);
    const longitude = parseCoordinate(values.longitude);
    if (latitude === undefined || latitude < -90 || latitude > 90) problems.push('latitude');
    if (longitude === undefined || longitude < -180 || longitude > 180) problems.push('longitude');
  } else if (values.address.trim() === '') {
    problems.push('location');
  }
  if (values.description.trim() === '') problems.push('description');
  if (values.email.trim() !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) problems.push('email');
  if (values.photo && values.photo.sizeBytes > MAX_PHOTO_BYTES) problems.push('photoSize');
  for (const attribute of attributes) {
    const value = values.attributes[attribute.code]?.trim() ?? '';
    if (attribute.required && value === '') problems.push(`attribute:${attribute.code}`);
    else if (value !== '' && attribute.datatype === 'number' && !Number.isFinite(Number(value.replace(',', '.')))) problems.push(`attribute:${attribute.code}`);
  }
  return problems;
}

/** The text fields of `POST requests.json`, blanks left out (the server refuses unknown fields, not empty ones). */
export function open311Fields(values: ReportFormValues, attributes: readonly AttributeField[]): Array<[string, string]> {
  const fields: Array<[string, string]> = [['service_code', values.serviceCode]];
  const latitude = parseCoordinate(values.latitude);
  const longitude = parseCoordinate(values.longitude);
  if (latitude !== undefined && longitude !== undefined) {
    fields.push(['lat', String(latitude)], ['long', String(longitude)]);
  }
  const text: Array<[string, string]> = [
    ['address_string', values.address],
    ['description', values.description],
    ['first_name', values.firstName],
    ['last_name', values.lastName],
    ['email', values.email],
    ['phone', values.phone],
  ];
  for (const [name, value] of text) if (value.trim() !== '') fields.push([name, value.trim()]);
  for (const attribute of attributes) {
    const value = values.attributes[attribute.code]?.trim() ?? '';
    if (value !== '') fields.push([`attribute[${attribute.code}]`, attribute.datatype === 'number' ? value.replace(',', '.') : value]);
  }
  return fields;
}

/** Requests sent from this browser, newest first, so a citizen finds them again without noting the id. */
export const REMEMBERED_REQUESTS_MAX = 10;

/** Reads what localStorage holds; anything unreadable (another version, a hand edit) counts as nothing. */
export function parseRememberedRequests(stored: string | null): string[] {
  if (!stored) return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string' && viewOfPath(followPath(id)).kind === 'follow').slice(0, REMEMBERED_REQUESTS_MAX) : [];
  } catch {
    return [];
  }
}

export function rememberRequest(remembered: readonly string[], requestId: string): string[] {
  return [requestId, ...remembered.filter((id) => id !== requestId)].slice(0, REMEMBERED_REQUESTS_MAX);
}
