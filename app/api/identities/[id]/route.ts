// GET /api/identities/[id]?limit= – a person and their images (with outlier scores), for galleries and context strips
import { route } from '@/lib/http';
import { idParamSchema } from '@/lib/schemas/candidates';
import { identityImagesSchema } from '@/lib/schemas/identities';
import { getIdentity } from '@/lib/services/identities';

export const GET = route({ role: 'curator', query: identityImagesSchema }, ({ params, query }) =>
  getIdentity({ id: idParamSchema.parse(params.id) }, query.limit),
);
