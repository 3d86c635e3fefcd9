import type { Open311CreatedRequest, Open311Service, Open311ServiceDefinition, Open311ServiceRequest } from '@ioc/schemas';
import type { Lang } from '../i18n';
import { callApi, postForm } from '../field-reports/http';

/**
 * Every call the citizen page makes: the public Open311 GeoReport v2 API (packages/api/src/open311.ts),
 * anonymous. An app key (`api_key`) or a citizen's sign-in would be added here only.
 */
const BASE = '/open311/v2';

export const citizenApi = {
  services: (lang: Lang) => callApi<Open311Service[]>(`${BASE}/services.json?lang=${lang}`),
  definition: (serviceCode: string, lang: Lang) => callApi<Open311ServiceDefinition>(`${BASE}/services/${encodeURIComponent(serviceCode)}.json?lang=${lang}`),
  /** multipart/form-data: the text fields, then the photo in `media` when there is one. */
  submit: async (fields: ReadonlyArray<[string, string]>, photo: File | undefined): Promise<Open311CreatedRequest> => {
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    if (photo) form.append('media', photo, photo.name);
    const created = await postForm<Open311CreatedRequest[]>(`${BASE}/requests.json`, form);
    const first = created[0];
    if (!first) throw new Error('The server answered without a request id');
    return first;
  },
  request: async (requestId: string, lang: Lang): Promise<Open311ServiceRequest> => {
    const found = await callApi<Open311ServiceRequest[]>(`${BASE}/requests/${encodeURIComponent(requestId)}.json?lang=${lang}`);
    const first = found[0];
    if (!first) throw new Error(`No request ${requestId}`);
    return first;
  },
};
