// GET /api/progress – how many pairs are reviewed, by whom, and how many are left
import { route } from '@/lib/http';
import { reviewProgress } from '@/lib/services/decisions';

export const GET = route({ role: 'curator' }, () => reviewProgress());
