declare module 'express-session' {
  interface SessionData {
    /** One message for the next page this browser shows (after a redirect), then gone. */
    flash?: string;
  }
}

/** Keeps a message for the next page of this session. */
export function setFlash(session: { flash?: string } | undefined, message: string): void {
  if (session) session.flash = message;
}

/** The message kept for this page, removed as it is shown. */
export function takeFlash(session: { flash?: string } | undefined): string | undefined {
  const message = session?.flash;
  if (message !== undefined) delete session!.flash;
  return message;
}
