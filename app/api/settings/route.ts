// GET /api/settings – dataset root, model, thresholds, skip folders; PATCH – change any of them (admins only)
import { route } from '@/lib/http';
import { updateSettingsSchema } from '@/lib/schemas/settings';
import { getSettings, updateSettings } from '@/lib/services/settings';

export const GET = route({ role: 'admin' }, () => getSettings());

export const PATCH = route({ role: 'admin', body: updateSettingsSchema }, ({ body }) => updateSettings(body));
