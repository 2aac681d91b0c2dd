import { writeEdl } from './edl.writer';
import type { ExportDocument, ExportFormat } from './export.types';
import { writeFcpxml } from './fcpxml.writer';
import { writeOtio } from './otio.writer';
import { writeXmeml } from './xmeml.writer';

export interface ExportFile {
  body: string;
  contentType: string;
  extension: string;
}

const WRITERS: Record<ExportFormat, (doc: ExportDocument) => ExportFile> = {
  fcpxml: (d) => ({
    body: writeFcpxml(d),
    contentType: 'application/xml; charset=utf-8',
    extension: 'fcpxml',
  }),
  xmeml: (d) => ({
    body: writeXmeml(d),
    contentType: 'application/xml; charset=utf-8',
    extension: 'xml',
  }),
  edl: (d) => ({ body: writeEdl(d), contentType: 'text/plain; charset=utf-8', extension: 'edl' }),
  otio: (d) => ({
    body: writeOtio(d),
    contentType: 'application/json; charset=utf-8',
    extension: 'otio',
  }),
};

export function writeExport(doc: ExportDocument, format: ExportFormat): ExportFile {
  return WRITERS[format](doc);
}
