// GET /api/export?format=json|csv|seed-csv|sh – the fix list as a download (curators and admins)
import { NextResponse } from 'next/server';
import { route } from '@/lib/http';
import { exportQuerySchema } from '@/lib/schemas/export';
import { FORMAT_MEDIA } from '@/lib/services/export';
import { exportFixList } from '@/lib/services/export-fix-list';

export const GET = route({ role: 'curator', query: exportQuerySchema }, async ({ query }) => {
  const { contentType, extension } = FORMAT_MEDIA[query.format];
  const name = `facesift-fix-list${query.format === 'seed-csv' ? '-open-pairs' : ''}.${extension}`;
  return new NextResponse(await exportFixList(query.format), {
    headers: { 'content-type': contentType, 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' },
  });
});
