/** An email FusionAuth would have sent through its SMTP server. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The email template it came from (its id). */
  readonly templateId: string;
  readonly sentAt: number;
}

/**
 * The dev IdP sends no email: each one lands here (tests read `messages`) and in the dev IdP's log
 * under `npm run dev`, so its links can be followed by hand.
 */
export class Outbox {
  readonly messages: Mail[] = [];
  /** Called for every message (the dev IdP's log). */
  onSend?: (mail: Mail) => void;

  send(mail: Mail): void {
    this.messages.push(mail);
    this.onSend?.(mail);
  }

  /** The newest message to an address, if any. */
  lastTo(address: string): Mail | undefined {
    const wanted = address.toLowerCase();
    return [...this.messages].reverse().find((m) => m.to.toLowerCase() === wanted);
  }
}
