import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clinic } from '../domain/model';
import type { ClinicDirectory, RateCounters, StaffProfile } from '../workflow/ports';
import { type DynamoTable, translate } from './dynamo-table';
import { ATTR, keys } from './table-keys';

/** Clinics and their staff, each in the clinic's own partition. */
export class DynamoClinicDirectory implements ClinicDirectory {
  constructor(private readonly table: DynamoTable) {}

  getClinic(clinicId: string) {
    return this.table.get<Clinic>(keys.clinicPk(clinicId), keys.profileSk);
  }
  putClinic(clinic: Clinic) {
    return this.table.put({
      [ATTR.pk]: keys.clinicPk(clinic.clinicId),
      [ATTR.sk]: keys.profileSk,
      entity: 'clinic',
      ...clinic,
    });
  }
  getStaff(clinicId: string, email: string) {
    return this.table.get<StaffProfile>(keys.clinicPk(clinicId), keys.staffSk(email));
  }
  putStaff(staff: StaffProfile) {
    return this.table.put({
      [ATTR.pk]: keys.clinicPk(staff.clinicId),
      [ATTR.sk]: keys.staffSk(staff.email),
      entity: 'staff',
      ...staff,
    });
  }
}

/** Rate-limit windows: one counter item per key and window, removed by the table's TTL. */
export class DynamoRateCounters implements RateCounters {
  constructor(private readonly table: DynamoTable) {}

  async countHit(key: string, windowStart: number, expiresAt: number): Promise<number> {
    try {
      const out = await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: { [ATTR.pk]: keys.ratePk(key), [ATTR.sk]: keys.rateSk(windowStart) },
          UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': ATTR.ttl },
          ExpressionAttributeValues: { ':one': 1, ':ttl': expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.hits ?? 1);
    } catch (err) {
      translate(err);
    }
  }
}
