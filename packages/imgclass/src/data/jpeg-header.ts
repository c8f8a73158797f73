// Reads a JPEG's size and EXIF orientation from its header bytes. On a first pass over a
// folder of photos this replaces one libvips header parse per picture (~7% of the time);
// anything unusual returns undefined and the caller asks sharp instead.

export interface JpegHeader {
  /** Size after EXIF orientation (what sharp's autoOrient produces). */
  width: number;
  height: number;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const START_OF_SCAN = 0xda;
const APP1 = 0xe1;

export function readJpegHeader(bytes: Uint8Array): JpegHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let orientation = 1;
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === START_OF_SCAN) return undefined;
    const length = view.getUint16(pos + 2);
    if (length < 2 || pos + 2 + length > bytes.length) return undefined;
    if (marker === APP1) orientation = exifOrientation(view, pos + 4, length - 2) ?? orientation;
    if (SOF_MARKERS.has(marker)) {
      if (length < 7) return undefined;
      const height = view.getUint16(pos + 5);
      const width = view.getUint16(pos + 7);
      if (width === 0 || height === 0) return undefined;
      return orientation >= 5 && orientation <= 8 ? { width: height, height: width } : { width, height };
    }
    pos += 2 + length;
  }
  return undefined;
}

/** The orientation tag (0x0112) of IFD0 in an APP1 "Exif" segment, if present. */
function exifOrientation(view: DataView, start: number, length: number): number | undefined {
  const end = start + length;
  // "Exif\0\0", then a TIFF header: byte order, 42, offset of IFD0.
  if (length < 14 || view.getUint32(start) !== 0x45786966 || view.getUint16(start + 4) !== 0) return undefined;
  const tiff = start + 6;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return undefined;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
  }
  return undefined;
}
