/**
 * A browser of one cookie for plain HTTP tests: follows no redirect, keeps the session
 * cookie it is given and the CSRF token of the last page it read.
 */
export class Client {
  cookie = '';
  csrf = '';

  constructor(private readonly base: () => string) {}

  async get(path: string): Promise<string> {
    return (await this.open(path)).body;
  }

  /** A GET with its status and redirect. */
  async open(path: string): Promise<{ status: number; location: string | null; body: string }> {
    const res = await fetch(`${this.base()}${path}`, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.keep(res);
    const body = await res.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? this.csrf;
    return { status: res.status, location: res.headers.get('location'), body };
  }

  async post(path: string, form: Record<string, string>): Promise<{ status: number; location: string | null }> {
    const res = await fetch(`${this.base()}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, _csrf: this.csrf }),
    });
    this.keep(res);
    const location = res.headers.get('location');
    if (res.headers.getSetCookie().length && location) await this.get(location); // a new session: its CSRF token
    return { status: res.status, location };
  }

  private keep(res: Response): void {
    const sid = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('sid='));
    if (sid) this.cookie = sid;
  }
}

/** The error shown at an input, if any. */
export const errorAt = (page: string, id: string) => new RegExp(`id="${id}-error">([^<]*)<`).exec(page)?.[1];

/** The notice above the page (a flash), if any. */
export const flashOf = (page: string) => /class="flash (?:ok|error)"[^>]*>([^<]*)</.exec(page)?.[1];
