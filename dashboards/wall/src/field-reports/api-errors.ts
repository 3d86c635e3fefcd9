import type { Lang } from '../i18n';

/**
 * Errors from the two APIs the field-report pages call, made readable for a person. The internal JSON API
 * answers `{error: {code, message, issues?}}`; Open311 answers the specification's `[{code, description}]`
 * with the `IOC_ERR_*` code in the `X-Ioc-Error-Code` header. Both end up as one `ApiProblem`: a sentence in
 * the page's language keyed on the stable code, and the server's own detail (which names the field) beside it.
 */
export interface ApiProblem {
  httpStatus: number;
  /** `IOC_ERR_*`, or `NETWORK` when no answer came, or `HTTP_<status>` when the body carried no code. */
  code: string;
  /** The server's words (English, names fields), for the detail line. */
  detail: string;
}

const MESSAGES: Record<Lang, Record<string, string>> = {
  vi: {
    IOC_ERR_VALIDATION: 'Thông tin chưa hợp lệ, xin kiểm tra lại các trường đã nhập.',
    IOC_ERR_BAD_QUERY: 'Bộ lọc không hợp lệ.',
    IOC_ERR_NOT_FOUND: 'Không tìm thấy phản ánh này.',
    IOC_ERR_PHOTO_REJECTED: 'Ảnh không được chấp nhận: chỉ nhận ảnh JPEG hoặc PNG đọc được.',
    IOC_ERR_PAYLOAD_TOO_LARGE: 'Ảnh quá lớn: tối đa 8 MB.',
    IOC_ERR_RATE_LIMITED: 'Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn, xin thử lại sau.',
    IOC_ERR_INVALID_TRANSITION: 'Thao tác không phù hợp với trạng thái hiện tại của phản ánh (có thể người khác vừa cập nhật).',
    IOC_ERR_INVALID_API_KEY: 'Khóa ứng dụng không hợp lệ.',
    IOC_ERR_DATABASE_UNAVAILABLE: 'Hệ thống tạm thời không truy cập được cơ sở dữ liệu, xin thử lại sau.',
    NETWORK: 'Không kết nối được máy chủ, xin kiểm tra mạng và thử lại.',
    OTHER: 'Máy chủ báo lỗi, xin thử lại sau.',
  },
  en: {
    IOC_ERR_VALIDATION: 'Some fields are not valid; please check what you entered.',
    IOC_ERR_BAD_QUERY: 'The filter is not valid.',
    IOC_ERR_NOT_FOUND: 'No such report.',
    IOC_ERR_PHOTO_REJECTED: 'The photo was not accepted: only readable JPEG or PNG photos.',
    IOC_ERR_PAYLOAD_TOO_LARGE: 'The photo is too large: 8 MB at most.',
    IOC_ERR_RATE_LIMITED: 'Too many reports in a short time; please try again later.',
    IOC_ERR_INVALID_TRANSITION: 'This action does not fit the report as it is now (someone may just have changed it).',
    IOC_ERR_INVALID_API_KEY: 'The app key is not valid.',
    IOC_ERR_DATABASE_UNAVAILABLE: 'The database cannot be reached at the moment; please try again later.',
    NETWORK: 'The server cannot be reached; check the network and try again.',
    OTHER: 'The server reported an error; please try again later.',
  },
};

/** Reads either error body; `headerCode` is `X-Ioc-Error-Code` when present. Never throws. */
export function problemFromBody(httpStatus: number, body: unknown, headerCode: string | null): ApiProblem {
  let code = headerCode ?? undefined;
  let detail = '';
  if (Array.isArray(body)) {
    detail = body
      .map((entry) => (entry && typeof entry === 'object' && typeof (entry as { description?: unknown }).description === 'string' ? (entry as { description: string }).description : ''))
      .filter((text) => text !== '')
      .join('; ');
  } else if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error?: { code?: unknown; message?: unknown; issues?: unknown } }).error;
    if (error && typeof error.code === 'string') code ??= error.code;
    const issues = Array.isArray(error?.issues)
      ? error.issues
          .filter((issue): issue is { path: string; reason: string } => !!issue && typeof issue === 'object' && typeof issue.path === 'string' && typeof issue.reason === 'string')
          .map((issue) => `${issue.path}: ${issue.reason}`)
      : [];
    detail = issues.length > 0 ? issues.join('; ') : typeof error?.message === 'string' ? error.message : '';
  } else if (typeof body === 'string') {
    detail = body.slice(0, 300);
  }
  return { httpStatus, code: code ?? `HTTP_${httpStatus}`, detail };
}

/** The sentence to show; the detail goes on a second line when it adds something. */
export function problemMessage(problem: ApiProblem, lang: Lang): string {
  const messages = MESSAGES[lang];
  return messages[problem.code] ?? messages.OTHER ?? '';
}

/** An error a page can throw and catch with its problem attached. */
export class ApiError extends Error {
  readonly problem: ApiProblem;
  constructor(problem: ApiProblem) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = 'ApiError';
    this.problem = problem;
  }
}

export const networkProblem = (reason: string): ApiProblem => ({ httpStatus: 0, code: 'NETWORK', detail: reason });
