import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { AppConfig } from '../config/app-config.js';

export interface OutgoingMail {
  from: string;
  to: string;
  replyTo: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  language: string;
  automatic: boolean;
}

// How a failed send should be treated: again later, or never.
export type FailureKind = 'permanent' | 'temporary' | 'unreachable';

// The way out: SMTP with pooled connections, or (with no SMTP_HOST) .eml files under MAIL_DIR.
export abstract class MailTransport {
  abstract readonly description: string;
  abstract send(mail: OutgoingMail): Promise<void>;
  // Whether a new connection gets as far as the server's greeting (and sign-in).
  abstract reachable(): Promise<boolean>;
  abstract close(): Promise<void>;
}

function messageOptions(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    headers: {
      'Content-Language': mail.language,
      ...(mail.automatic ? { 'Auto-Submitted': 'auto-generated' } : {}),
      // Kept by relays that rewrite the Message-ID: intake knows our own mail come back by it.
      'X-Loop': /<([^>]+)>/.exec(mail.from)?.[1] ?? mail.from,
    },
    // Our own Message-ID and Date; nodemailer adds MIME-Version, encodes every header (RFC 2047)
    // and the bodies (quoted-printable / base64 as needed) for Cyrillic text.
    date: new Date(),
  };
}

class SmtpTransport extends MailTransport {
  readonly description: string;
  private readonly transporter: Transporter;

  constructor(smtp: NonNullable<AppConfig['mail']['smtp']>) {
    super();
    this.description = `SMTP ${smtp.host}:${smtp.port} (${smtp.tls})`;
    this.transporter = nodemailer.createTransport({
      pool: true,
      maxConnections: smtp.poolSize,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.tls === 'tls',
      requireTLS: smtp.tls === 'starttls',
      ignoreTLS: smtp.tls === 'none',
      auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      logger: false,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail(messageOptions(mail));
  }

  reachable(): Promise<boolean> {
    return this.transporter.verify().then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

// For a first `npm start` with nothing else running: each message becomes an .eml file that any
// mail client opens.
class FileTransport extends MailTransport {
  readonly description: string;
  private readonly transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
  });

  constructor(private readonly dir: string) {
    super();
    this.description = `.eml files in ${dir}`;
  }

  async reachable(): Promise<boolean> {
    return true;
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.transporter.sendMail(messageOptions(mail));
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.messageId.replace(/[^A-Za-z0-9.@-]/g, '')}.eml`;
    await writeFile(path.join(this.dir, name), info.message as Buffer, { mode: 0o600 });
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

export function createMailTransport(config: AppConfig['mail']): MailTransport {
  return config.smtp ? new SmtpTransport(config.smtp) : new FileTransport(path.resolve(config.dir));
}

// nodemailer's codes for a lost or refused connection. The same codes come when a connection drops
// in the middle of a conversation (after DATA, say), so the sender asks the server again before
// treating a message as merely waiting for it (MailSender.attempt).
const UNREACHABLE = new Set(['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'EDNS']);

// Permanent: the server refused this message or its recipients for good (5xx at RCPT TO or DATA,
// or no valid recipient). Unreachable: no SMTP conversation at all (refused, reset or timed-out
// connection, no DNS answer) — the server is away, not the message at fault. Everything else may
// get better: 4xx, greeting, TLS and authentication failures (a changed password must not fail
// the whole outbox), and 503 (bad sequence of commands: the session's fault, not the message's).
export function failureKind(error: unknown): FailureKind {
  const e = error as { responseCode?: number; code?: string };
  if (typeof e?.responseCode !== 'number' && UNREACHABLE.has(e?.code ?? '')) return 'unreachable';
  const perMessage = e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE';
  if (!perMessage) return 'temporary';
  if (typeof e.responseCode !== 'number') return e.code === 'EENVELOPE' ? 'permanent' : 'temporary';
  return e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503
    ? 'permanent'
    : 'temporary';
}

// An error as it may be stored and logged: one line, no addresses or names (SMTP servers quote
// them, in angle brackets or quotes, whole or only the local part).
export function describeFailure(error: unknown): string {
  const e = error as { responseCode?: number; code?: string; message?: string; response?: string };
  const text = (e?.response ?? e?.message ?? String(error))
    .replace(/<[^>]*>/g, '<address>')
    .replace(/"[^"]*"\s*@\S*/g, '<address>')
    .replace(/\S*@\S+/g, '<address>')
    .replace(/\s+/g, ' ')
    .slice(0, 300);
  return [e?.code, e?.responseCode, text].filter(Boolean).join(' ');
}
