import { Injectable } from '@nestjs/common';
import { simpleParser, type ParsedMail } from 'mailparser';

// What intake needs of mailparser: the text as sent (no HTML made from it, no links found in
// it), and each attachment's SHA-256 (its checksum) computed while it is decoded.
export const PARSE_OPTIONS = {
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: 'sha256',
};

// The MIME parser behind intake, one provider so that every door and a reprocess use the same
// one (and a test can put in a parser that fails, to see the quarantine take what it breaks on).
@Injectable()
export class MailParser {
  parse(raw: Buffer): Promise<ParsedMail> {
    return simpleParser(raw, PARSE_OPTIONS);
  }
}
