import {
  ValidationFailedException,
  type FieldError,
} from '../common/exceptions/domain.exception.js';

interface PartialBirthDate {
  birthYear?: number;
  birthMonth?: number;
  birthDay?: number;
}

// A partial date of birth must still be a real day, and not in the future.
export function checkBirthDate(person: PartialBirthDate & { surname?: string }): void {
  const { birthYear: y, birthMonth: m, birthDay: d } = person;
  const errors: FieldError[] = [];
  if (m !== undefined && y === undefined) {
    errors.push({
      field: 'soughtPerson.birthMonth',
      rule: 'partialDate',
      message: 'birthMonth needs birthYear',
    });
  }
  if (d !== undefined && m === undefined) {
    errors.push({
      field: 'soughtPerson.birthDay',
      rule: 'partialDate',
      message: 'birthDay needs birthMonth',
    });
  }
  if (y !== undefined && m !== undefined && d !== undefined) {
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCMonth() !== m - 1) {
      errors.push({
        field: 'soughtPerson.birthDay',
        rule: 'realDate',
        message: 'birthDay is not a day of that month',
      });
    } else if (date.getTime() > Date.now()) {
      errors.push({
        field: 'soughtPerson.birthDay',
        rule: 'notFuture',
        message: 'the date of birth is in the future',
      });
    }
  } else if (y !== undefined && m !== undefined && Date.UTC(y, m - 1, 1) > Date.now()) {
    errors.push({
      field: 'soughtPerson.birthMonth',
      rule: 'notFuture',
      message: 'the date of birth is in the future',
    });
  }
  if (errors.length > 0) throw new ValidationFailedException(errors);
}
