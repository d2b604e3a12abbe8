// GET /api/health – {"ok","db","queue"}; 503 when a part is down. No sign-in needed.
import { NextResponse } from 'next/server';
import { checkHealth } from '@/lib/services/health';

export const dynamic = 'force-dynamic';

export async function GET() {
  const health = await checkHealth();
  return NextResponse.json(health, { status: health.ok ? 200 : 503 });
}
