import type { Type } from '@nestjs/common';
import { PartialType } from '@nestjs/swagger';

// The body of a PATCH made from the body of a create: every field optional, and
// - absent means unchanged: the create's defaults (property initialisers) do not apply;
// - null clears a field, where the create lets it be left out (its own @IsOptional); for a field
//   the create requires, null is refused by that field's validators, naming it.
// The create's validators, transformations and OpenAPI description carry over.
export function PatchType<T>(classRef: Type<T>): Type<Partial<T>> {
  const Partial = PartialType(classRef, { skipNullProperties: false }) as Type<object>;
  const defaulted = Object.keys(new classRef() as object);
  class Patch extends Partial {
    constructor() {
      super();
      for (const key of defaulted) delete (this as Record<string, unknown>)[key];
    }
  }
  Object.defineProperty(Patch, 'name', { value: `${classRef.name.replace(/Dto$/, '')}PatchDto` });
  return Patch as Type<Partial<T>>;
}
