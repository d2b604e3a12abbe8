// GET /api/outliers – images least like the rest of their folder, most suspicious first
import { route } from '@/lib/http';
import { listOutliersSchema } from '@/lib/schemas/candidates';
import { listOutliers } from '@/lib/services/candidates';

export const GET = route({ role: 'curator', query: listOutliersSchema }, ({ query }) => listOutliers(query));
