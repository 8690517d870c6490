namespace VideoGen.Core
{
    /// <summary>
    /// The other column spellings New-Video accepts for its parameters (PowerShell [Alias] attributes use
    /// these constants, so the cmdlets and the core agree).
    /// </summary>
    public static class ParameterAliases
    {
        /// <summary>Duration: Length (FastRouter), Seconds (Sora, OpenAI-style).</summary>
        public const string DurationLength = "Length";
        /// <summary>Duration: Seconds.</summary>
        public const string DurationSeconds = "Seconds";
        /// <summary>Image: ImageUrl.</summary>
        public const string ImageUrl = "ImageUrl";
        /// <summary>AspectRatio: Aspect.</summary>
        public const string Aspect = "Aspect";
        /// <summary>GenerateAudio: Audio.</summary>
        public const string Audio = "Audio";
        /// <summary>Prompt: Text.</summary>
        public const string PromptText = "Text";
        /// <summary>Name: Label.</summary>
        public const string Label = "Label";
        /// <summary>Id: TaskId (the providers' term).</summary>
        public const string TaskId = "TaskId";
    }
}
