// POST /api/pairs/[id]/decision – {verdict, side?, keep?, basedOn?}; 409 with the current decision when it changed meanwhile
import { route } from '@/lib/http';
import { idParamSchema, pairDecisionSchema } from '@/lib/schemas/candidates';
import { decidePair } from '@/lib/services/decisions';

export const POST = route({ role: 'curator', body: pairDecisionSchema }, ({ user, params, body }) => decidePair(user, idParamSchema.parse(params.id), body));
