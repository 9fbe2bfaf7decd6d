import { Injectable } from '@nestjs/common';
import { findInquiryOrFail } from '../inquiries/case-lookup.js';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { DomainException } from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import { MailParser } from './mail-parser.js';

export interface AttachmentDownload {
  filename: string;
  contentType: string;
  content: Buffer;
}

// What a case shows of the mail that came in on it: every message with its text, sanitised HTML,
// sender authentication and attachments (kept or not, blocked or not). Reading them, and
// downloading an attachment, is audited on the case like reading the case itself.
@Injectable()
export class InboundMessagesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly parser: MailParser,
  ) {}

  async forInquiry(inquiryId: string, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      await findInquiryOrFail(manager, inquiryId);
      const items = (await manager.query(
        `SELECT e.id, e.received_at AS "receivedAt", e.source, e.from_address AS "fromAddress",
           e.from_name AS "fromName", e.subject, e.text_body AS "textBody",
           e.html_body AS "htmlBody", e.language, e.outcome, e.needs_review AS "needsReview",
           e.reason, e.hints, e.authentication, e.message_id AS "messageId",
           coalesce((SELECT json_agg(json_build_object('id', a.id, 'filename', a.filename,
               'declaredType', a.declared_type, 'sniffedType', a.sniffed_type,
               'sizeBytes', a.size_bytes, 'stored', a.stored, 'blocked', a.blocked,
               'reason', a.reason) ORDER BY a.position)
             FROM inbound_attachment a WHERE a.inbound_email_id = e.id), '[]') AS attachments
         FROM inbound_email e WHERE e.inquiry_id = $1
         ORDER BY e.received_at DESC, e.id`,
        [inquiryId],
      )) as unknown[];
      await this.audit.recordReadInTransaction(manager, {
        action: 'email.read',
        actor,
        inquiryId,
        after: { count: items.length },
      });
      return { items };
    });
  }

  async attachment(id: string, actor: ActorContext): Promise<AttachmentDownload> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT a.position, a.filename, a.declared_type, a.sniffed_type, a.sha256, a.stored,
           a.blocked, a.reason, e.inquiry_id, e.id AS email_id
         FROM inbound_attachment a JOIN inbound_email e ON e.id = a.inbound_email_id
         WHERE a.id = $1`,
        [id],
      )) as {
        position: number;
        filename: string;
        declared_type: string;
        sniffed_type: string | null;
        sha256: string;
        email_id: string;
        stored: boolean;
        blocked: boolean;
        reason: string | null;
        inquiry_id: string | null;
      }[];
      // Attachments of mail on no case (quarantined, ignored) are not for download here.
      if (!row?.inquiry_id) throw new DomainException('not_found', `Attachment ${id} not found`);
      if (row.blocked) {
        throw new DomainException('attachment_blocked', 'This attachment is blocked', {
          detail: `Not served: ${row.reason ?? 'blocked'}. It is kept; ask an administrator.`,
        });
      }
      if (!row.stored) {
        throw new DomainException('attachment_not_stored', 'This attachment was not kept', {
          detail: row.reason ?? 'not kept',
        });
      }
      const content = await this.decode(manager, row.email_id, row.position, row.sha256);
      await this.audit.recordReadInTransaction(manager, {
        action: 'email.attachment_download',
        actor,
        inquiryId: row.inquiry_id,
        after: { attachmentId: id },
      });
      return {
        filename: row.filename,
        contentType: row.sniffed_type ?? row.declared_type,
        content,
      };
    });
  }

  // The attachment's bytes, decoded from the raw message as intake did, and checked to be the
  // same bytes intake listed.
  private async decode(
    manager: EntityManager,
    emailId: string,
    position: number,
    sha256: string,
  ): Promise<Buffer> {
    const [{ raw }] = (await manager.query(`SELECT raw FROM inbound_email WHERE id = $1`, [
      emailId,
    ])) as { raw: Buffer }[];
    const parsed = await this.parser.parse(raw);
    const content = parsed.attachments[position]?.content;
    if (!content || createHash('sha256').update(content).digest('hex') !== sha256) {
      throw new Error(
        `attachment ${position} of inbound email ${emailId} does not decode as listed`,
      );
    }
    return content;
  }
}
