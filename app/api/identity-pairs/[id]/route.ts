// GET /api/identity-pairs/[id] – one merge suggestion with its decision history
import { route } from '@/lib/http';
import { idParamSchema } from '@/lib/schemas/candidates';
import { getIdentityPair } from '@/lib/services/decisions';

export const GET = route({ role: 'curator' }, ({ params }) => getIdentityPair(idParamSchema.parse(params.id)));
