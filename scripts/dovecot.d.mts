// Types of dovecot.mjs.
export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  // IMAP APPEND, creating the folder first if it is missing.
  append(folder: string, raw: Buffer, flags?: string[]): Promise<void>;
  // Many messages over one connection, in order.
  appendMany(folder: string, raws: Buffer[]): Promise<void>;
  // Deletes a folder and its mail (a recreated folder gets a new UIDVALIDITY).
  deleteFolder(folder: string): Promise<void>;
  // The messages now in a folder (without the session flag \Recent); empty when the folder does
  // not exist.
  list(folder: string): Promise<{ uid: number; flags: string[]; size: number }[]>;
  stop(): Promise<void>;
  // Starts it again on the same port and mail directory: mail and UIDVALIDITY survive.
  start(): Promise<void>;
  remove(): Promise<void>;
}

export function startDovecot(program?: string): Promise<Dovecot>;
