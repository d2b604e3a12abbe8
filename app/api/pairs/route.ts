// GET /api/pairs – candidate image pairs, keyset-paginated
import { route } from '@/lib/http';

export const GET = route({ role: 'curator' }, async () => ({ items: [], nextCursor: null }));
