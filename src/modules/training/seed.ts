export async function seedTraining(): Promise<void> {}
