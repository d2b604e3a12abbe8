// GET /api/images/[id]?size=thumb|full&v=<version> – an image of the dataset (thumbnails cached on disk); 404 with a reason when it cannot be shown
import { route } from '@/lib/http';
import { idParamSchema } from '@/lib/schemas/candidates';
import { imageQuerySchema } from '@/lib/schemas/images';
import { serveImage } from '@/lib/services/images';

export const GET = route({ role: 'curator', query: imageQuerySchema }, ({ request, params, query }) =>
  serveImage(idParamSchema.parse(params.id), query, request.headers.get('if-none-match')),
);
