/** OpenAPI `security` of every authenticated route: a bearer credential or the session cookie. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [{ bearer: [] }, { sessionCookie: [] }];
