// GET /api/review/next – {type, item}: the open candidate most worth the next verdict (item as its own list returns it), or {type: null, item: null}
import { route } from '@/lib/http';
import { reviewNext } from '@/lib/services/review';

export const GET = route({ role: 'curator' }, () => reviewNext());
