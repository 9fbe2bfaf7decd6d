import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  raw: Buffer;
  parsed: ParsedMail;
  to: string[];
}

// A real SMTP server on 127.0.0.1 (the smtp-server package), keeping what it accepts. `reply`
// decides the answer to each message's DATA: undefined accepts it (250), a number refuses it
// with that code (451: try later, 550: never).
export class SmtpSink {
  readonly received: Received[] = [];
  attempts = 0;
  reply: (attempt: number) => number | undefined = () => undefined;
  // Hang up after the message's data instead of answering it (a connection lost mid-DATA).
  dropAfterData = false;
  private server = this.newServer();
  private stopped = false;

  // A closed smtp-server answers 421 for good: a restart is a new server on the same port.
  private newServer(): SMTPServer {
    return new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 1_000,
      size: 10 * 1024 * 1024,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.attempts += 1;
          if (this.dropAfterData) {
            const connections = (
              this.server as unknown as {
                connections: Set<{ session: unknown; _socket: { destroy(): void } }>;
              }
            ).connections;
            for (const c of connections) if (c.session === session) c._socket.destroy();
            return;
          }
          const code = this.reply(this.attempts);
          if (code) {
            const error = Object.assign(
              new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'),
              {
                responseCode: code,
              },
            );
            callback(error);
            return;
          }
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            this.received.push({
              raw,
              parsed,
              to: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
          }, callback);
        });
      },
    });
  }

  get listening(): boolean {
    return this.server.server.listening;
  }

  // On a free port, or on `port` again after stop().
  async start(port = 0): Promise<number> {
    if (this.stopped) this.server = this.newServer();
    this.stopped = false;
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    this.stopped = true;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
