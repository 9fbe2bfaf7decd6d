// For @Transform on Date fields: text or a number becomes a Date (an impossible one is left for
// @IsDate to name); anything else stays as it is. @Type(() => Date) would hand an object to
// `new Date()`, whose conversion runs the object's own toString/valueOf: `{"toString": "x"}`
// threw a TypeError there, a 500 instead of a 400 naming the field.
export function toDate({ value }: { value: unknown }): unknown {
  return typeof value === 'string' || typeof value === 'number' ? new Date(value) : value;
}
