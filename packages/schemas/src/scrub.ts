/** Removes user:password from URLs before they reach a log line or a client (Frigate's clean_camera_user_pass). */
export function scrubUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(:[^/@\s]*)?@/gi, '$1***:***@');
}
