// GET /api/pairs/[id] – one pair with its full decision history (newest first)
import { route } from '@/lib/http';
import { idParamSchema } from '@/lib/schemas/candidates';
import { getPair } from '@/lib/services/decisions';

export const GET = route({ role: 'curator' }, ({ params }) => getPair(idParamSchema.parse(params.id)));
