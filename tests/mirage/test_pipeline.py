from mirage.pipeline import start_pipeline


async def test_stopping_releases_what_the_workers_hold_even_if_one_release_fails(settings_factory):
    settings = settings_factory(openai_base_url="http://127.0.0.1:9/v1")  # never called: nothing is asked
    runtime = await start_pipeline(settings, settings.nats_url, workers=["translate", "generate"])
    assert len(runtime.closers) == 2  # the translator's and the generator's LLM clients
    released: list[str] = []

    async def broken() -> None:
        raise RuntimeError("connection already gone")

    async def recorded() -> None:
        released.append("after the broken one")

    runtime.closers[:0] = [broken]
    runtime.closers.append(recorded)
    await runtime.stop()
    assert released == ["after the broken one"]
