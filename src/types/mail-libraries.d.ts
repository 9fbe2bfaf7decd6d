// The parts of nodemailer's MIME helpers that intake uses (they ship no type declarations).
declare module 'libmime' {
  const libmime: {
    // RFC 2047 encoded words in a header value, decoded (any charset iconv-lite knows).
    decodeWords(value: string): string;
    // "text/plain; charset=koi8-r" → { value: 'text/plain', params: { charset: 'koi8-r' } }.
    parseHeaderValue(value: string): { value: string; params: Record<string, string> };
  };
  export default libmime;
}

declare module 'libqp' {
  const libqp: { decode(input: string): Buffer };
  export default libqp;
}
