using System;
using System.Linq;

namespace VideoGen.Core.Providers
{
    /// <summary>
    /// Which providers can remix and delete videos (those whose mapping is an <see cref="IRemixDeleteMapping"/>; the table in
    /// docs/providers.md), and the refusal (before any request) where one cannot.
    /// </summary>
    public static class VideoOperations
    {
        /// <summary>Whether the provider has remix (and delete) on some route: the table in docs/providers.md.</summary>
        public static bool HasRemixAndDelete(VideoProvider provider) => ProviderMappings.For(provider) is IRemixDeleteMapping;

        /// <summary>The mapping that remixes <paramref name="source"/>; throws where the provider or route has no remix.</summary>
        /// <exception cref="VideoGenException">InvalidArgument: no remix on this provider or route; nothing was sent.</exception>
        public static IRemixDeleteMapping ForRemix(VideoJob source) => For(source, "remix", m => m.RemixRefusal(source));

        /// <summary>The mapping that deletes <paramref name="job"/>; throws where the provider or route has no delete.</summary>
        /// <exception cref="VideoGenException">InvalidArgument: no delete on this provider or route; nothing was sent.</exception>
        public static IRemixDeleteMapping ForDelete(VideoJob job) => For(job, "delete", m => m.DeleteRefusal(job));

        private static IRemixDeleteMapping For(VideoJob job, string operation, Func<IRemixDeleteMapping, string?> refusal)
        {
            if (!(ProviderMappings.For(job.Provider) is IRemixDeleteMapping mapping))
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument,
                    job.Provider + " has no " + operation + " (its documented video API has no such route), so nothing was sent for " + job.Id +
                    ". Providers that can " + operation + " a video (on some of their routes): " +
                    string.Join(", ", ProviderMappings.Mappings.Where(m => m is IRemixDeleteMapping).Select(m => m.Provider)) + ".", job.Id);
            }
            var why = refusal(mapping);
            if (why != null)
            {
                throw new VideoGenException(VideoGenErrorKind.InvalidArgument, why + " Nothing was sent.", job.Id);
            }
            return mapping;
        }
    }
}
