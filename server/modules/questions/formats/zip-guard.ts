// The zip-bomb guard is generic (every .xlsx upload goes through it) and lives with the sheet reader.
export { assertSafeZip, isZip, readSafeZip, MAX_UNCOMPRESSED_BYTES } from '../../../lib/sheets/zip.js'
