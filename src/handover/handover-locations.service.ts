import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import {
  DomainException,
  ValidationFailedException,
} from '../common/exceptions/domain.exception.js';
import type { ActorContext } from '../common/request-context.js';
import type { HandoverLocationDto, UpdateHandoverLocationDto } from './dto/handover.dto.js';
import { HandoverLocation } from './handover-location.entity.js';

const invalid = (field: string, message: string) =>
  new ValidationFailedException([{ field, message }]);

// Where handovers take place: reference data admins keep (added, closed, moved), audited.
@Injectable()
export class HandoverLocationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  locations(): Promise<HandoverLocation[]> {
    return this.dataSource.getRepository(HandoverLocation).find({ order: { nameEn: 'ASC' } });
  }

  async addLocation(dto: HandoverLocationDto, actor: ActorContext): Promise<HandoverLocation> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(HandoverLocation);
      const saved = await repository.save(repository.create(dto));
      await this.audit.appendInTransaction(manager, {
        action: 'handover_location.create',
        actor,
        entityType: 'handover_location',
        entityId: saved.id,
        after: { nameEn: saved.nameEn, address: saved.address },
      });
      return saved;
    });
  }

  async updateLocation(id: string, dto: UpdateHandoverLocationDto, actor: ActorContext) {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(HandoverLocation);
      const location = await repository.findOne({
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!location) throw new DomainException('not_found', 'No such handover location');
      if (location.version !== dto.version) {
        throw new DomainException('stale_version', 'Changed by someone else', {
          extensions: { currentVersion: location.version },
        });
      }
      const before = { active: location.active, address: location.address };
      if (dto.active !== undefined) location.active = dto.active;
      if (dto.address !== undefined) location.address = dto.address;
      const saved = await repository.save(location);
      await this.audit.appendInTransaction(manager, {
        action: 'handover_location.update',
        actor,
        entityType: 'handover_location',
        entityId: id,
        before,
        after: { active: saved.active, address: saved.address },
      });
      return saved;
    });
  }

  // For an appointment: a known place still in use.
  async checkInUse(manager: EntityManager, locationId: string): Promise<void> {
    const location = await manager.getRepository(HandoverLocation).findOneBy({ id: locationId });
    if (!location) throw invalid('locationId', 'is not a known handover location');
    if (!location.active) throw invalid('locationId', `${location.nameEn} is not in use`);
  }
}
