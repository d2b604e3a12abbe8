// GET /api/export?format=json|csv|seed-csv|sh – the fix list as a download (curators and admins)
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { route } from '@/lib/http';
import { EXPORT_FORMATS, FORMAT_MEDIA, type ExportFormat } from '@/lib/services/export';
import { exportFixList } from '@/lib/services/export-fix-list';

const querySchema = z.strictObject({ format: z.enum(EXPORT_FORMATS as [ExportFormat, ...ExportFormat[]]).default('json') });

export const GET = route({ role: 'curator', query: querySchema }, async ({ query }) => {
  const { contentType, extension } = FORMAT_MEDIA[query.format];
  const name = `facesift-fix-list${query.format === 'seed-csv' ? '-open-pairs' : ''}.${extension}`;
  return new NextResponse(await exportFixList(query.format), {
    headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' },
  });
});
