// POST /api/scans – start a rescan {mode: incremental|full, search: bool} of the stored dataset root → {id} (admins only)
import { NextResponse } from 'next/server';
import { route } from '@/lib/http';
import { startScanSchema } from '@/lib/schemas/jobs';
import { startScan } from '@/lib/services/start-scan';

export const POST = route({ role: 'admin', body: startScanSchema }, async ({ body, user }) => NextResponse.json(await startScan(body, user), { status: 202 }));
